import json
from datetime import datetime

from aiosqlite import Row
from pydantic import BaseModel

from bot.domain.delivery import Progress, Status
from bot.storage.base import Store, Table, parse_ts, ts


class Letter(BaseModel):
    """One safety message on its way: what to send, where, and how far it has got."""

    key: str
    kind: str
    chat_id: int
    parts: list[str]
    buttons: list[list[tuple[str, str]]] | None = None
    event_id: int | None = None
    sent_parts: int = 0
    progress: Progress = Progress()
    error: str | None = None
    message_id: int | None = None
    created_at: datetime
    done_at: datetime | None = None


PAGES = ("page", "repage", "contact", "notice")
CHECK_IN = "check_in"  # to a person, but nobody is told when it fails: it was only a question
TO_PERSON = ("reply", "follow_up", "confirm", CHECK_IN)


class Outbox(Table):
    async def save(self, letters: list[Letter]) -> None:
        """Write each letter's state as it is now; its text goes once it is done."""
        async with self.store.tx() as db:
            await db.executemany(
                "INSERT INTO outbox (key, kind, chat_id, event_id, parts, buttons, sent_parts,"
                " status, attempts, failures, timeouts, error, message_id, created_at,"
                " expires_at, done_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (key) DO UPDATE SET event_id = excluded.event_id,"
                " parts = excluded.parts, buttons = excluded.buttons,"
                " sent_parts = excluded.sent_parts, status = excluded.status,"
                " attempts = excluded.attempts, failures = excluded.failures,"
                " timeouts = excluded.timeouts, error = excluded.error,"
                " message_id = excluded.message_id, done_at = excluded.done_at",
                [_row(letter, self.store) for letter in letters])

    async def pending(self) -> list[Letter]:
        rows = await self.store.all("SELECT * FROM outbox WHERE status = 'pending' ORDER BY id")
        return [_letter(row, self.store) for row in rows]

    async def pages_of(self, event_id: int) -> list[tuple[int, int]]:
        """Every page and re-page about an event that reached a chat, to update them all."""
        rows = await self.store.all(
            "SELECT chat_id, message_id FROM outbox WHERE event_id = ? AND message_id IS NOT NULL"
            f" AND kind IN ({', '.join('?' * len(PAGES))}) ORDER BY id", event_id, *PAGES)
        return [(row[0], row[1]) for row in rows]


def _row(letter: Letter, store: Store) -> tuple[object, ...]:
    done = letter.progress.status.done
    progress = letter.progress
    return (letter.key, letter.kind, letter.chat_id, letter.event_id,
            None if done else store.seal("outbox.parts", json.dumps(letter.parts)),
            None if done or not letter.buttons else store.seal("outbox.buttons",
                                                               json.dumps(letter.buttons)),
            letter.sent_parts, progress.status.value, progress.attempts, progress.failures,
            progress.timeouts, letter.error, letter.message_id, ts(letter.created_at),
            ts(progress.expires_at) if progress.expires_at else None,
            ts(letter.done_at) if letter.done_at else None)


def _letter(row: Row, store: Store) -> Letter:
    buttons = store.open("outbox.buttons", row["buttons"])
    progress = Progress(status=Status(row["status"]), attempts=row["attempts"],
                        failures=row["failures"], timeouts=row["timeouts"],
                        expires_at=parse_ts(row["expires_at"]))
    return Letter(key=row["key"], kind=row["kind"], chat_id=row["chat_id"],
                  event_id=row["event_id"],
                  parts=json.loads(store.open("outbox.parts", row["parts"]) or "[]"),
                  buttons=json.loads(buttons) if buttons else None,
                  sent_parts=row["sent_parts"], progress=progress, error=row["error"],
                  message_id=row["message_id"], created_at=parse_ts(row["created_at"]),
                  done_at=parse_ts(row["done_at"]))
