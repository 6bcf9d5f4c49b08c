from datetime import datetime

from pydantic import BaseModel

from bot.storage.base import Table


class Entry(BaseModel):
    at: datetime
    actor_id: int | None
    actor_name: str | None
    action: str
    subject: str
    detail: str | None


class Audit(Table):
    async def record(self, actor_id: int | None, action: str, subject: str,
                     detail: str | None = None, *, actor_name: str | None = None) -> None:
        async with self.store.tx() as db:
            await db.execute(
                "INSERT INTO audit_log (at, actor_id, actor_name, action, subject, detail)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (self.store.now(), actor_id, actor_name, action, subject, detail),
            )

    async def trail(self, subject: str, limit: int) -> list[Entry]:
        """The newest `limit` entries about a subject, oldest first."""
        rows = await self.store.all(
            "SELECT * FROM (SELECT id, at, actor_id, actor_name, action, subject, detail"
            " FROM audit_log WHERE subject = ? ORDER BY id DESC LIMIT ?) ORDER BY id",
            subject, limit)
        return [Entry(**{k: row[k] for k in row.keys() if k != "id"}) for row in rows]

    async def for_subject(self, subject: str) -> list[Entry]:
        rows = await self.store.all(
            "SELECT at, actor_id, actor_name, action, subject, detail FROM audit_log"
            " WHERE subject = ? ORDER BY id", subject)
        return [Entry(**dict(row)) for row in rows]
