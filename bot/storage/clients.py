import hashlib
from datetime import datetime

import aiosqlite
from aiosqlite import Row
from pydantic import BaseModel

from bot.storage.base import Store, Table, inserted, parse_ts, ts, written


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Client(BaseModel):
    id: int
    name: str
    request_id: int | None
    user_id: int | None
    language: str | None
    video_link: str | None
    reminders_on: bool
    stopped: bool
    unreachable: bool
    awaiting_reason: int | None


class Delivery(BaseModel):
    lesson_id: str
    sent_at: datetime
    helpful: bool | None


def _client(row: Row, store: Store) -> Client:
    return Client(id=row["id"], name=store.open("clients.name", row["name"]),
                  request_id=row["request_id"], user_id=row["user_id"],
                  language=row["language"],
                  video_link=store.open("clients.video_link", row["video_link"]),
                  reminders_on=bool(row["reminders_on"]),
                  stopped=row["stopped_at"] is not None,
                  unreachable=row["unreachable_at"] is not None,
                  awaiting_reason=row["awaiting_reason"])


async def _skip_reminders(db: aiosqlite.Connection, client_id: int, why: str) -> None:
    await db.execute(
        "UPDATE reminders SET status = 'skipped', error = ? WHERE status = 'pending'"
        " AND session_id IN (SELECT id FROM sessions WHERE client_id = ?)", (why, client_id))


class Clients(Table):
    async def enroll(self, name: str, request_id: int | None, language: str | None,
                     staff_id: int) -> Client:
        async with self.store.tx() as db:
            cursor = await db.execute(
                "INSERT INTO clients (name, request_id, language, enrolled_at, enrolled_by)"
                " VALUES (?, ?, ?, ?, ?)",
                (self.store.seal("clients.name", name), request_id, language, self.store.now(),
                 staff_id))
            client_id = inserted(cursor)
        return written(await self.get(client_id))

    async def get(self, client_id: int) -> Client | None:
        row = await self.store.one("SELECT * FROM clients WHERE id = ?", client_id)
        return _client(row, self.store) if row else None

    async def of_user(self, user_id: int) -> Client | None:
        row = await self.store.one("SELECT * FROM clients WHERE user_id = ?", user_id)
        return _client(row, self.store) if row else None

    async def of_request(self, request_id: int) -> Client | None:
        row = await self.store.one("SELECT * FROM clients WHERE request_id = ?", request_id)
        return _client(row, self.store) if row else None

    async def invite(self, client_id: int, token: str, expires_at: datetime) -> None:
        async with self.store.tx() as db:
            await db.execute("INSERT INTO invites VALUES (?, ?, ?, NULL, NULL)",
                             (token_hash(token), client_id, ts(expires_at)))

    async def redeem(self, token: str, user_id: int) -> tuple[str, Client | None]:
        """Bind the account: ('ok', client), or ('unknown' | 'used' | 'expired' | 'taken', None)."""
        now = self.store.now()
        async with self.store.tx() as db:
            async with db.execute("SELECT * FROM invites WHERE token_hash = ?",
                                  (token_hash(token),)) as cursor:
                invite = await cursor.fetchone()
            if invite is None:
                return "unknown", None
            if invite["used_at"] is not None:
                return "used", None
            if invite["expires_at"] <= now:
                return "expired", None
            async with db.execute("SELECT id FROM clients WHERE user_id = ?",
                                  (user_id,)) as cursor:
                other = await cursor.fetchone()
            if other is not None and other["id"] != invite["client_id"]:
                return "taken", None
            await db.execute("UPDATE invites SET used_at = ?, used_by = ? WHERE token_hash = ?",
                             (now, user_id, invite["token_hash"]))
            await db.execute("UPDATE clients SET user_id = ?, unreachable_at = NULL WHERE id = ?",
                             (user_id, invite["client_id"]))
            client_id = invite["client_id"]
        return "ok", await self.get(client_id)

    async def update(self, client_id: int, **fields: object) -> None:
        """Set simple client fields: video_link, reminders_on, language, awaiting_reason."""
        allowed = {"video_link", "reminders_on", "language", "awaiting_reason"}
        if not fields or not set(fields) <= allowed:
            raise ValueError(f"cannot set {sorted(set(fields) - allowed)}")
        if (link := fields.get("video_link")) is not None:
            fields["video_link"] = self.store.seal("clients.video_link", str(link))
        assignments = ", ".join(f"{name} = ?" for name in fields)
        async with self.store.tx() as db:
            await db.execute(f"UPDATE clients SET {assignments} WHERE id = ?",
                             (*fields.values(), client_id))

    async def unbind(self, client_id: int) -> None:
        """Disconnect the Telegram account and cancel pending reminders and lessons: nothing
        more is sent; the clinical record stays."""
        async with self.store.tx() as db:
            await db.execute("UPDATE clients SET user_id = NULL, awaiting_reason = NULL"
                             " WHERE id = ?", (client_id,))
            await db.execute("UPDATE sessions SET lesson_sent = 1 WHERE client_id = ?",
                             (client_id,))
            await _skip_reminders(db, client_id, "deleted")

    async def hold(self, client_id: int) -> None:
        """A revoked consent: pending reminders are cancelled and no reason is waited for.
        Lessons are held back where they are sent, for as long as the consent is revoked."""
        async with self.store.tx() as db:
            await db.execute("UPDATE clients SET awaiting_reason = NULL WHERE id = ?",
                             (client_id,))
            await _skip_reminders(db, client_id, "revoked")

    async def release(self, client_id: int, now: datetime) -> None:
        """Consent given again: reminders cancelled by the revocation that are still ahead
        are pending once more."""
        async with self.store.tx() as db:
            await db.execute(
                "UPDATE reminders SET status = 'pending', error = NULL WHERE status = 'skipped'"
                " AND error = 'revoked' AND due_at > ?"
                " AND session_id IN (SELECT id FROM sessions WHERE client_id = ?)",
                (ts(now), client_id))

    async def stop(self, client_id: int, stopped: bool) -> None:
        async with self.store.tx() as db:
            await db.execute("UPDATE clients SET stopped_at = ? WHERE id = ?",
                             (self.store.now() if stopped else None, client_id))

    async def mark_unreachable(self, user_id: int) -> Client | None:
        """The client, the first time only, so staff are told once."""
        async with self.store.tx() as db:
            cursor = await db.execute(
                "UPDATE clients SET unreachable_at = ?"
                " WHERE user_id = ? AND unreachable_at IS NULL", (self.store.now(), user_id))
            changed = cursor.rowcount > 0
        return await self.of_user(user_id) if changed else None

    async def mark_reachable(self, client_id: int) -> None:
        async with self.store.tx() as db:
            await db.execute("UPDATE clients SET unreachable_at = NULL WHERE id = ?",
                             (client_id,))

    async def lessons_delivered(self, client_id: int) -> set[str]:
        rows = await self.store.all(
            "SELECT lesson_id FROM lesson_deliveries WHERE client_id = ?", client_id)
        return {row[0] for row in rows}

    async def lesson_sent(self, client_id: int, lesson_id: str) -> bool:
        async with self.store.tx() as db:
            cursor = await db.execute(
                "INSERT OR IGNORE INTO lesson_deliveries (client_id, lesson_id, sent_at)"
                " VALUES (?, ?, ?)", (client_id, lesson_id, self.store.now()))
            return cursor.rowcount == 1

    async def lessons(self, client_id: int) -> list[Delivery]:
        rows = await self.store.all(
            "SELECT lesson_id, sent_at, helpful FROM lesson_deliveries WHERE client_id = ?"
            " ORDER BY sent_at, lesson_id", client_id)
        return [Delivery(lesson_id=row[0], sent_at=parse_ts(row[1]),
                         helpful=None if row[2] is None else bool(row[2])) for row in rows]

    async def lesson_feedback(self, client_id: int, lesson_id: str, helpful: bool) -> None:
        async with self.store.tx() as db:
            await db.execute(
                "UPDATE lesson_deliveries SET helpful = ? WHERE client_id = ? AND lesson_id = ?",
                (int(helpful), client_id, lesson_id))
