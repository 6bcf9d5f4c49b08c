import sqlite3
from contextlib import closing
from pathlib import Path

from pydantic import BaseModel

from bot.domain.roles import Role
from bot.storage.base import Table


class Member(BaseModel):
    user_id: int
    role: Role
    on_call: bool


class Staff(Table):
    async def all(self) -> list[Member]:
        rows = await self.store.all("SELECT user_id, role, on_call FROM staff ORDER BY user_id")
        return [Member(user_id=row[0], role=Role[row[1].upper()], on_call=bool(row[2]))
                for row in rows]

    async def seed(self, admins: frozenset[int]) -> bool:
        """Admins from STAFF_USER_IDS, only into an empty table; True if it was empty."""
        async with self.store.tx() as db:
            async with db.execute("SELECT COUNT(*) FROM staff") as cursor:
                row = await cursor.fetchone()
            if row is None or row[0]:
                return False
            await db.executemany(
                "INSERT INTO staff (user_id, role, added_at) VALUES (?, 'admin', ?)",
                [(user_id, self.store.now()) for user_id in sorted(admins)])
            return True

    async def put(self, user_id: int, role: Role, by: int) -> None:
        async with self.store.tx() as db:
            await db.execute(
                "INSERT INTO staff (user_id, role, added_by, added_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (user_id) DO UPDATE SET role = excluded.role",
                (user_id, role.key, by, self.store.now()))

    async def remove(self, user_id: int) -> bool:
        async with self.store.tx() as db:
            cursor = await db.execute("DELETE FROM staff WHERE user_id = ?", (user_id,))
            return cursor.rowcount > 0

    async def set_on_call(self, user_ids: list[int]) -> None:
        async with self.store.tx() as db:
            await db.execute("UPDATE staff SET on_call = 0")
            await db.executemany("UPDATE staff SET on_call = 1 WHERE user_id = ?",
                                 [(user_id,) for user_id in user_ids])


def stored(path: Path) -> frozenset[int] | None:
    """Staff in an existing database, for the start-up checks; None before the first start."""
    if not path.exists():
        return None
    uri = f"{path.absolute().as_uri()}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as conn:
        try:
            rows = conn.execute("SELECT user_id FROM staff").fetchall()
        except sqlite3.OperationalError:  # not migrated to 007 yet
            return None
    return frozenset(row[0] for row in rows) or None
