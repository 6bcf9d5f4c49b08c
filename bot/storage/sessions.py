from datetime import datetime, timedelta

from aiosqlite import Row
from pydantic import BaseModel

from bot.domain.schedule import Recurrence
from bot.storage.base import Store, Table, inserted, parse_ts, ts


class Session(BaseModel):
    id: int
    client_id: int
    series_id: int | None
    kind: str
    starts_at: datetime
    minutes: int
    status: str
    attendance: str | None
    reason: str | None


class Series(BaseModel):
    id: int
    client_id: int
    rule: Recurrence
    filled_until: datetime


class Due(BaseModel):
    """A pending reminder with what the dispatcher needs to send or skip it."""

    id: int
    session: Session
    offset_min: int
    attempts: int
    user_id: int | None
    language: str | None
    video_link: str | None
    blocked: bool


def _session(row: Row, store: Store) -> Session:
    return Session(id=row["id"], client_id=row["client_id"], series_id=row["series_id"],
                   kind=row["kind"], starts_at=parse_ts(row["starts_at"]),
                   minutes=row["minutes"], status=row["status"], attendance=row["attendance"],
                   reason=store.open("sessions.reason", row["reason"]))


class Sessions(Table):
    async def add(self, client_id: int, kind: str, starts_at: datetime, minutes: int,
                  series_id: int | None = None) -> Session | None:
        """None when the client already has that kind of session at that time."""
        async with self.store.tx() as db:
            cursor = await db.execute(
                "INSERT OR IGNORE INTO sessions (client_id, series_id, kind, starts_at, minutes)"
                " VALUES (?, ?, ?, ?, ?)", (client_id, series_id, kind, ts(starts_at), minutes))
            if cursor.rowcount == 0:
                return None
            session_id = inserted(cursor)
        return await self.get(session_id)

    async def get(self, session_id: int) -> Session | None:
        row = await self.store.one("SELECT * FROM sessions WHERE id = ?", session_id)
        return _session(row, self.store) if row else None

    async def of_client(self, client_id: int) -> list[Session]:
        """Every session, past and future, cancelled too: what /mydata shows."""
        rows = await self.store.all(
            "SELECT * FROM sessions WHERE client_id = ? ORDER BY starts_at, id", client_id)
        return [_session(row, self.store) for row in rows]

    async def upcoming(self, client_id: int, now: datetime, limit: int = 10) -> list[Session]:
        rows = await self.store.all(
            "SELECT * FROM sessions WHERE client_id = ? AND status = 'scheduled'"
            " AND starts_at > ? ORDER BY starts_at LIMIT ?", client_id, ts(now), limit)
        return [_session(row, self.store) for row in rows]

    async def move(self, session_id: int, starts_at: datetime) -> bool:
        """Move a session; its reminders belonged to the old time, so they are planned anew."""
        async with self.store.tx() as db:
            cursor = await db.execute(
                "UPDATE sessions SET starts_at = ?, attendance = NULL, reason = NULL"
                " WHERE id = ? AND status = 'scheduled'", (ts(starts_at), session_id))
            if cursor.rowcount == 1:
                await db.execute("DELETE FROM reminders WHERE session_id = ?", (session_id,))
            return cursor.rowcount == 1

    async def cancel(self, session_id: int) -> bool:
        async with self.store.tx() as db:
            cursor = await db.execute(
                "UPDATE sessions SET status = 'cancelled' WHERE id = ? AND status = 'scheduled'",
                (session_id,))
            await db.execute("UPDATE reminders SET status = 'skipped', error = 'cancelled'"
                             " WHERE session_id = ? AND status = 'pending'", (session_id,))
            return cursor.rowcount == 1

    async def respond(self, session_id: int, attendance: str, reason: str | None = None) -> bool:
        """Record "I'll be there" or "I can't make it"; False if it was already the answer."""
        async with self.store.tx() as db:
            cursor = await db.execute(
                "UPDATE sessions SET attendance = ?, reason = COALESCE(?, reason),"
                " responded_at = ? WHERE id = ? AND (attendance IS NOT ? OR ? IS NOT NULL)",
                (attendance, self.store.seal("sessions.reason", reason), self.store.now(),
                 session_id, attendance, reason is not None))
            return cursor.rowcount == 1

    async def ended_without_lesson(self, now: datetime, kind: str) -> list[Session]:
        rows = await self.store.all(
            "SELECT * FROM sessions WHERE kind = ? AND status = 'scheduled' AND lesson_sent = 0"
            " AND datetime(starts_at, '+' || minutes || ' minutes') <= datetime(?)",
            kind, ts(now))
        return [_session(row, self.store) for row in rows]

    async def lesson_done(self, session_id: int) -> bool:
        async with self.store.tx() as db:
            cursor = await db.execute(
                "UPDATE sessions SET lesson_sent = 1 WHERE id = ? AND lesson_sent = 0",
                (session_id,))
            return cursor.rowcount == 1

    async def add_series(self, client_id: int, rule: Recurrence, from_: datetime) -> int:
        async with self.store.tx() as db:
            cursor = await db.execute(
                "INSERT INTO series (client_id, kind, rule, filled_until) VALUES (?, ?, ?, ?)",
                (client_id, rule.kind, rule.model_dump_json(), ts(from_)))
            return inserted(cursor)

    async def series_to_fill(self, horizon: datetime) -> list[Series]:
        rows = await self.store.all(
            "SELECT * FROM series WHERE cancelled_at IS NULL AND filled_until < ?", ts(horizon))
        return [Series(id=row["id"], client_id=row["client_id"],
                       rule=Recurrence.model_validate_json(row["rule"]),
                       filled_until=parse_ts(row["filled_until"])) for row in rows]

    async def filled(self, series_id: int, until: datetime) -> None:
        async with self.store.tx() as db:
            await db.execute("UPDATE series SET filled_until = ? WHERE id = ?",
                             (ts(until), series_id))

    async def cancel_series(self, series_id: int, from_: Session, now: datetime) -> int:
        """Stop a recurring rule and cancel `from_` and the sessions of its series after it;
        earlier sessions stay as they are. Returns how many were cancelled."""
        async with self.store.tx() as db:
            await db.execute("UPDATE series SET cancelled_at = ? WHERE id = ?",
                             (ts(now), series_id))
            cursor = await db.execute(
                "UPDATE sessions SET status = 'cancelled' WHERE series_id = ?"
                " AND status = 'scheduled' AND (id = ? OR (starts_at >= ? AND starts_at > ?))",
                (series_id, from_.id, ts(from_.starts_at), ts(now)))
            await db.execute(
                "UPDATE reminders SET status = 'skipped', error = 'cancelled' WHERE status ="
                " 'pending' AND session_id IN (SELECT id FROM sessions WHERE series_id = ?"
                " AND status = 'cancelled')", (series_id,))
            return cursor.rowcount


# A client the reminders must not reach: unbound, reminders off, stopped, unreachable, or
# one who withdrew their consent.
BLOCKED = ("(c.user_id IS NULL OR c.reminders_on = 0 OR c.stopped_at IS NOT NULL"
           " OR c.unreachable_at IS NOT NULL OR EXISTS (SELECT 1 FROM people p"
           "  WHERE p.user_id = c.user_id AND p.revoked_at IS NOT NULL))")


class Reminders(Table):
    async def still_due(self, reminder_id: int) -> bool:
        """Checked again just before sending: the dispatcher may have waited minutes for a
        reminder's slot, and a /stop or a revoked consent in between must hold."""
        row = await self.store.one(
            f"SELECT NOT {BLOCKED} FROM reminders r JOIN sessions s ON s.id = r.session_id"
            " JOIN clients c ON c.id = s.client_id WHERE r.id = ? AND r.status = 'pending'"
            " AND s.status = 'scheduled'", reminder_id)
        return bool(row and row[0])

    async def plan(self, session_id: int, plan: list[tuple[timedelta, datetime]]) -> None:
        async with self.store.tx() as db:
            await db.executemany(
                "INSERT OR IGNORE INTO reminders (session_id, offset_min, due_at) VALUES (?, ?, ?)",
                [(session_id, int(offset.total_seconds() // 60), ts(due)) for offset, due in plan])

    async def unplanned(self) -> list[Session]:
        """Scheduled sessions with no reminder rows yet (new or just moved)."""
        rows = await self.store.all(
            "SELECT s.* FROM sessions s WHERE s.status = 'scheduled' AND NOT EXISTS"
            " (SELECT 1 FROM reminders r WHERE r.session_id = s.id)")
        return [_session(row, self.store) for row in rows]

    async def due(self, now: datetime, limit: int) -> list[Due]:
        rows = await self.store.all(
            "SELECT r.id AS rid, r.offset_min, r.attempts, s.*, c.user_id, c.language,"
            f" c.video_link, {BLOCKED} AS blocked"
            " FROM reminders r JOIN sessions s ON s.id = r.session_id"
            " JOIN clients c ON c.id = s.client_id"
            " WHERE r.status = 'pending' AND r.due_at <= ?"
            " AND (r.next_try_at IS NULL OR r.next_try_at <= ?)"
            " ORDER BY r.due_at, r.id LIMIT ?", ts(now), ts(now), limit)
        return [Due(id=row["rid"], session=_session(row, self.store),
                    offset_min=row["offset_min"],
                    attempts=row["attempts"], user_id=row["user_id"], language=row["language"],
                    video_link=self.store.open("clients.video_link", row["video_link"]),
                    blocked=bool(row["blocked"])) for row in rows]

    async def finish(self, reminder_id: int, status: str, *, message_id: int | None = None,
                     error: str | None = None) -> None:
        async with self.store.tx() as db:
            await db.execute(
                "UPDATE reminders SET status = ?, attempts = attempts + ?, sent_at = ?,"
                " message_id = ?, error = ? WHERE id = ? AND status = 'pending'",
                (status, int(status != "skipped"), self.store.now() if status == "sent" else None,
                 message_id, error, reminder_id))

    async def retry(self, reminder_id: int, at: datetime, error: str) -> None:
        async with self.store.tx() as db:
            await db.execute(
                "UPDATE reminders SET attempts = attempts + 1, next_try_at = ?, error = ?"
                " WHERE id = ? AND status = 'pending'", (ts(at), error, reminder_id))

    async def counts(self) -> dict[str, int]:
        rows = await self.store.all("SELECT status, COUNT(*) FROM reminders GROUP BY status")
        return {row[0]: row[1] for row in rows}

    async def of_session(self, session_id: int) -> list[tuple[int, str]]:
        rows = await self.store.all(
            "SELECT offset_min, status FROM reminders WHERE session_id = ? ORDER BY offset_min",
            session_id)
        return [(row[0], row[1]) for row in rows]
