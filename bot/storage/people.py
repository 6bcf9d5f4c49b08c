from pydantic import BaseModel

from bot.storage.base import Table


class Person(BaseModel):
    user_id: int
    language: str | None
    consent_version: str
    unreachable: bool
    stopped: bool


class People(Table):
    async def consent(self, user_id: int, version: str, language: str | None) -> None:
        async with self.store.tx() as db:
            await db.execute(
                "INSERT INTO people (user_id, language, consent_version, consent_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET"
                " consent_version = excluded.consent_version, consent_at = excluded.consent_at",
                (user_id, language, version, self.store.now()),
            )

    async def get(self, user_id: int) -> Person | None:
        row = await self.store.one("SELECT * FROM people WHERE user_id = ?", user_id)
        if row is None:
            return None
        return Person(user_id=row["user_id"], language=row["language"],
                      consent_version=row["consent_version"],
                      unreachable=row["unreachable_at"] is not None,
                      stopped=row["stopped_at"] is not None)

    async def mark_unreachable(self, user_id: int) -> bool:
        """True the first time only, so staff are told once."""
        async with self.store.tx() as db:
            cursor = await db.execute(
                "UPDATE people SET unreachable_at = ? WHERE user_id = ? AND unreachable_at IS NULL",
                (self.store.now(), user_id),
            )
            return cursor.rowcount > 0

    async def mark_reachable(self, user_id: int) -> None:
        async with self.store.tx() as db:
            await db.execute("UPDATE people SET unreachable_at = NULL WHERE user_id = ?",
                             (user_id,))

    async def forget(self, user_id: int) -> None:
        async with self.store.tx() as db:
            await db.execute("DELETE FROM people WHERE user_id = ?", (user_id,))
