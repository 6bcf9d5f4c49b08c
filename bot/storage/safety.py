from datetime import datetime, timedelta

from aiosqlite import Row
from pydantic import BaseModel

from bot.storage.base import Table, fresh_id, inserted, parse_ts, ts, written


class Event(BaseModel):
    id: int
    user_id: int
    category: str
    severity: str
    language: str | None
    detected_at: datetime
    response: str | None
    responded_at: datetime | None
    acked_by: int | None
    acked_name: str | None
    acked_at: datetime | None
    pages: int


class Disclosure(BaseModel):
    id: int
    event_id: int | None
    user_id: int
    recipient: str
    nature: str
    disclosed_at: datetime
    disclosed_by: int
    disclosed_name: str


def _event(row: Row) -> Event:
    return Event(id=row["id"], user_id=row["user_id"], category=row["category"],
                 severity=row["severity"], language=row["language"],
                 detected_at=parse_ts(row["detected_at"]),
                 response=row["response"], responded_at=parse_ts(row["responded_at"]),
                 acked_by=row["acked_by"],
                 acked_name=row["acked_name"], acked_at=parse_ts(row["acked_at"]),
                 pages=row["pages"])


class Safety(Table):
    async def record(self, user_id: int, category: str, severity: str, rule: str | None,
                     language: str | None, follow_up: timedelta | None,
                     repage: timedelta) -> Event:
        """A new event; with no follow_up the person is not asked "Are you safe?" again."""
        now = self.store.clock.now()
        async with self.store.tx() as db:
            event_id = await fresh_id(db, "safety_events")
            await db.execute(
                "INSERT INTO safety_events (id, user_id, category, severity, rule, language,"
                " detected_at, follow_up_at, next_page_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (event_id, user_id, category, severity, rule, language, ts(now),
                 ts(now + follow_up) if follow_up else None, ts(now + repage)))
        return written(await self.get(event_id))

    async def get(self, event_id: int) -> Event | None:
        row = await self.store.one("SELECT * FROM safety_events WHERE id = ?", event_id)
        return _event(row) if row else None

    async def latest(self, user_id: int) -> Event | None:
        row = await self.store.one(
            "SELECT * FROM safety_events WHERE user_id = ? ORDER BY id DESC LIMIT 1", user_id)
        return _event(row) if row else None

    async def of_user(self, user_id: int) -> list[Event]:
        rows = await self.store.all(
            "SELECT * FROM safety_events WHERE user_id = ? ORDER BY id", user_id)
        return [_event(row) for row in rows]

    async def respond(self, event_id: int, response: str) -> None:
        async with self.store.tx() as db:
            await db.execute(
                "UPDATE safety_events SET response = ?, responded_at = ? WHERE id = ?",
                (response, self.store.now(), event_id))

    async def ack(self, event_id: int, staff_id: int, name: str) -> bool:
        """First acknowledgement wins; later presses change nothing."""
        async with self.store.tx() as db:
            cursor = await db.execute(
                "UPDATE safety_events SET acked_by = ?, acked_name = ?, acked_at = ?,"
                " next_page_at = NULL WHERE id = ? AND acked_at IS NULL",
                (staff_id, name, self.store.now(), event_id))
            return cursor.rowcount == 1

    async def repage_due(self, now: datetime, limit: int) -> list[Event]:
        rows = await self.store.all(
            "SELECT * FROM safety_events WHERE acked_at IS NULL AND next_page_at <= ?"
            " AND pages < ? ORDER BY id", ts(now), limit)
        return [_event(row) for row in rows]

    async def repaged(self, event_id: int, next_at: datetime) -> bool:
        """Count one re-page; False if another tick already did it."""
        async with self.store.tx() as db:
            cursor = await db.execute(
                "UPDATE safety_events SET pages = pages + 1, next_page_at = ?"
                " WHERE id = ? AND acked_at IS NULL AND next_page_at <= ?",
                (ts(next_at), event_id, self.store.now()))
            return cursor.rowcount == 1

    async def follow_up_due(self, now: datetime) -> list[Event]:
        rows = await self.store.all(
            "SELECT * FROM safety_events WHERE response IS NULL AND followed_up_at IS NULL"
            " AND follow_up_at <= ? ORDER BY id", ts(now))
        return [_event(row) for row in rows]

    async def followed_up(self, event_id: int) -> bool:
        async with self.store.tx() as db:
            cursor = await db.execute(
                "UPDATE safety_events SET followed_up_at = ? WHERE id = ?"
                " AND followed_up_at IS NULL", (self.store.now(), event_id))
            return cursor.rowcount == 1

    async def disclose(self, user_id: int, event_id: int | None, recipient: str, nature: str,
                       disclosed_at: datetime, staff_id: int, staff_name: str) -> int:
        async with self.store.tx() as db:
            cursor = await db.execute(
                "INSERT INTO emergency_disclosures (event_id, user_id, recipient, nature,"
                " disclosed_at, disclosed_by, disclosed_name, recorded_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (event_id, user_id, self.store.seal("disclosures.recipient", recipient),
                 self.store.seal("disclosures.nature", nature), ts(disclosed_at), staff_id,
                 staff_name, self.store.now()))
            return inserted(cursor)

    async def disclosures(self, user_id: int) -> list[Disclosure]:
        rows = await self.store.all(
            "SELECT * FROM emergency_disclosures WHERE user_id = ? ORDER BY id", user_id)
        return [Disclosure(**{k: row[k] for k in Disclosure.model_fields} | {
            "recipient": self.store.open("disclosures.recipient", row["recipient"]),
            "nature": self.store.open("disclosures.nature", row["nature"])}) for row in rows]
