import json
from datetime import datetime
from enum import StrEnum

from aiosqlite import Connection, Row
from pydantic import BaseModel

from bot.domain.intake import Answers, Step
from bot.domain.priority import Assessment, Deadline, DeadlineKind, half_time
from bot.storage.base import Store, Table, fresh_id, parse_ts, ts, written
from bot.storage.sealed import PHONE, phone_of


class Status(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLAIMED = "claimed"
    CONTACTED = "contacted"
    SCHEDULED = "scheduled"
    NOT_A_FIT = "not_a_fit"
    ADMITTED = "admitted"
    WITHDRAWN = "withdrawn"


ANSWERS = "requests.answers"  # also saved_answers, its copy while the person edits
ACTIVE = (Status.OPEN, Status.CLAIMED, Status.CONTACTED, Status.SCHEDULED)
LIVE = (Status.DRAFT, *ACTIVE)
CLOSED = (Status.NOT_A_FIT, Status.WITHDRAWN)  # prospective requests that ended


def among(statuses: tuple[Status, ...]) -> str:
    return "(" + ", ".join(f"'{status}'" for status in statuses) + ")"


def alerts_of(requests: str) -> str:
    """A query of every message showing an alert of the requests that `requests` (a query of
    ids, its parameters numbered) selects, as (request, chat, message) rows: the original
    and the copies."""
    return ("SELECT id, alert_chat_id, alert_message_id FROM requests"
            f" WHERE id IN ({requests}) AND alert_chat_id IS NOT NULL"
            " UNION ALL SELECT request_id, chat_id, message_id FROM alert_copies"
            f" WHERE request_id IN ({requests})")


class Request(BaseModel):
    id: int
    user_id: int
    status: Status
    step: Step | None
    answers: Answers
    referral: str | None
    language: str | None
    tier: int | None
    undisclosed: list[str]
    referred_at: datetime | None
    due_at: datetime | None
    due_kind: str | None
    handled_by: int | None
    scheduled_for: datetime | None
    reason: str | None
    alert_chat_id: int | None
    alert_message_id: int | None
    paused: bool = False
    deadlines: list[Deadline] = []

    def deadline(self, kind: DeadlineKind) -> Deadline | None:
        return next((d for d in self.deadlines if d.kind == kind), None)


def _request(row: Row, store: Store) -> Request:
    return Request(
        id=row["id"], user_id=row["user_id"], status=row["status"], step=row["step"],
        answers=Answers.model_validate_json(store.open(ANSWERS, row["answers"]) or "{}"),
        referral=row["referral"],
        language=row["language"], tier=row["tier"],
        undisclosed=json.loads(row["undisclosed"] or "[]"),
        referred_at=parse_ts(row["referred_at"]), due_at=parse_ts(row["due_at"]),
        due_kind=row["due_kind"], handled_by=row["handled_by"],
        scheduled_for=parse_ts(row["scheduled_for"]),
        reason=store.open("requests.reason", row["reason"]),
        alert_chat_id=row["alert_chat_id"], alert_message_id=row["alert_message_id"],
        paused=row["paused_at"] is not None,
        deadlines=[Deadline.model_validate(d) for d in json.loads(row["deadlines"] or "[]")],
    )


class Requests(Table):
    async def get(self, request_id: int) -> Request | None:
        row = await self.store.one("SELECT * FROM requests WHERE id = ?", request_id)
        return _request(row, self.store) if row else None

    async def current(self, user_id: int) -> Request | None:
        """The person's draft or submitted request that is still in play."""
        row = await self.store.one(
            f"SELECT * FROM requests WHERE user_id = ? AND status IN {among(LIVE)}", user_id)
        return _request(row, self.store) if row else None

    async def of_user(self, user_id: int) -> list[Request]:
        """Every request the person has, closed and withdrawn ones too: what /mydata shows."""
        rows = await self.store.all("SELECT * FROM requests WHERE user_id = ? ORDER BY id",
                                    user_id)
        return [_request(row, self.store) for row in rows]

    async def start(self, user_id: int, language: str | None, referral: str | None,
                    step: Step) -> Request:
        now = self.store.now()
        async with self.store.tx() as db:
            request_id = await fresh_id(db, "requests")
            await db.execute(
                "INSERT INTO requests (id, user_id, status, step, referral, language, created_at,"
                " updated_at) VALUES (?, ?, 'draft', ?, ?, ?, ?, ?)",
                (request_id, user_id, step, referral, language, now, now))
        return written(await self.get(request_id))

    async def save(self, request_id: int, answers: Answers, step: Step | None,
                   *, expect: Step | None) -> bool:
        """Store an answer only if the request is still at `expect`: a double press acts once.
        An answer ends a pause."""
        async with self.store.tx() as db:
            cursor = await db.execute(
                "UPDATE requests SET answers = ?, phone_mac = ?, step = ?, paused_at = NULL,"
                " updated_at = ? WHERE id = ? AND step IS ?",
                (self.store.seal(ANSWERS, answers.model_dump_json(exclude_none=True)),
                 self._mac(answers.phone), step, self.store.now(), request_id, expect))
            return cursor.rowcount == 1

    async def pause(self, request_id: int, paused: bool = True) -> None:
        async with self.store.tx() as db:
            await db.execute("UPDATE requests SET paused_at = ? WHERE id = ?",
                             (self.store.now() if paused else None, request_id))

    async def begin_update(self, request_id: int) -> bool:
        """Reopen a sent request at its summary, keeping a copy to restore on cancel."""
        async with self.store.tx() as db:
            cursor = await db.execute(
                "UPDATE requests SET saved_answers = answers, step = 'summary', updated_at = ?"
                " WHERE id = ? AND step IS NULL", (self.store.now(), request_id))
            return cursor.rowcount == 1

    async def abandon_update(self, request_id: int) -> None:
        async with self.store.tx() as db:
            async with db.execute(
                    "UPDATE requests SET answers = COALESCE(saved_answers, answers),"
                    " saved_answers = NULL, step = NULL, updated_at = ? WHERE id = ?"
                    " RETURNING answers", (self.store.now(), request_id)) as cursor:
                row = await cursor.fetchone()
            if row is not None:
                await self._remac(db, request_id, row[0])

    async def _remac(self, db: Connection, request_id: int, answers: str) -> None:
        """The phone's HMAC after the answers were restored from their saved copy."""
        await db.execute("UPDATE requests SET phone_mac = ? WHERE id = ?",
                         (self._mac(phone_of(self.store.open(ANSWERS, answers))), request_id))

    def _mac(self, phone: str | None) -> str | None:
        return self.store.vault.mac(PHONE, phone) if phone else None

    async def same_phone(self, request: Request) -> list[int]:
        """Other requests in play that leave the same phone number: often a family member
        and the person themselves, for staff to handle together."""
        if not request.answers.phone:
            return []
        macs = self.store.vault.macs(PHONE, request.answers.phone)
        rows = await self.store.all(
            f"SELECT id FROM requests WHERE phone_mac IN ({', '.join('?' * len(macs))})"
            f" AND id != ? AND status IN {among(ACTIVE)} ORDER BY id", *macs, request.id)
        return [row[0] for row in rows]

    async def close(self, request_id: int, reason: str) -> None:
        """The client's own update made the request one the program cannot take."""
        async with self.store.tx() as db:
            await db.execute(
                "UPDATE requests SET status = 'not_a_fit', reason = ?, step = NULL,"
                " saved_answers = NULL, updated_at = ? WHERE id = ?",
                (self.store.seal("requests.reason", reason), self.store.now(), request_id))

    async def withdraw(self, request_id: int) -> bool:
        """The person revoked their consent: the request leaves the queue, an update in
        progress is dropped. False if it was no longer in play."""
        async with self.store.tx() as db:
            async with db.execute(
                    "UPDATE requests SET status = 'withdrawn', step = NULL, paused_at = NULL,"
                    " answers = COALESCE(saved_answers, answers), saved_answers = NULL,"
                    f" updated_at = ? WHERE id = ? AND status IN {among(ACTIVE)}"
                    " RETURNING answers", (self.store.now(), request_id)) as cursor:
                row = await cursor.fetchone()
            if row is not None:
                await self._remac(db, request_id, row[0])
            return row is not None

    async def delete(self, request_id: int) -> None:
        async with self.store.tx() as db:
            await db.execute("DELETE FROM requests WHERE id = ?", (request_id,))

    async def submit(self, request_id: int, assessment: Assessment,
                     referred_at: datetime) -> bool:
        primary = assessment.primary
        deadlines = [d.model_dump(mode="json") for d in assessment.deadlines]
        async with self.store.tx() as db:
            cursor = await db.execute(
                "UPDATE requests SET status = CASE status WHEN 'draft' THEN 'open' ELSE status END,"
                " step = NULL, saved_answers = NULL, tier = ?, undisclosed = ?, deadlines = ?,"
                " referred_at = COALESCE(referred_at, ?), due_at = ?, due_kind = ?, half_at = ?,"
                " updated_at = ? WHERE id = ? AND step = 'summary'",
                (int(assessment.tier), json.dumps(sorted(assessment.undisclosed)),
                 json.dumps(deadlines), ts(referred_at), ts(primary.due_at), primary.kind,
                 ts(half_time(referred_at, primary.due_at)), self.store.now(), request_id))
            return cursor.rowcount == 1

    async def set_alert(self, request_id: int, chat_id: int, message_id: int) -> None:
        """The alert staff see now; the one an update replaced is kept track of as a copy,
        refreshed and cleared with the others."""
        async with self.store.tx() as db:
            await db.execute(
                "INSERT INTO alert_copies (request_id, chat_id, message_id) SELECT id,"
                " alert_chat_id, alert_message_id FROM requests"
                " WHERE id = ? AND alert_chat_id IS NOT NULL", (request_id,))
            await db.execute(
                "UPDATE requests SET alert_chat_id = ?, alert_message_id = ? WHERE id = ?",
                (chat_id, message_id, request_id))

    async def add_copy(self, request_id: int, chat_id: int, message_id: int) -> None:
        """A copy of the alert: opened from /queue, or one found when a button on it is
        pressed (sent or replaced before copies were kept track of). The original, or a
        copy already kept, is left as it is."""
        async with self.store.tx() as db:
            await db.execute(
                "INSERT OR IGNORE INTO alert_copies (request_id, chat_id, message_id)"
                " SELECT ?1, ?2, ?3 WHERE NOT EXISTS (SELECT 1 FROM requests WHERE id = ?1"
                " AND alert_chat_id = ?2 AND alert_message_id = ?3)",
                (request_id, chat_id, message_id))

    async def alerts(self, request_id: int) -> list[tuple[int, int]]:
        """Every message showing the request's alert, as (chat, message): the original and
        the copies (opened from /queue, or an alert an update replaced)."""
        rows = await self.store.all(alerts_of("?1"), request_id)
        return [(row[1], row[2]) for row in rows]

    async def move(self, request_id: int, to: Status, staff_id: int, *,
                   allowed: tuple[Status, ...], scheduled_for: datetime | None = None,
                   reason: str | None = None) -> bool:
        """A staff action; False when the request is no longer in an `allowed` status."""
        async with self.store.tx() as db:
            cursor = await db.execute(
                "UPDATE requests SET status = ?, handled_by = ?,"
                " scheduled_for = COALESCE(?, scheduled_for), reason = COALESCE(?, reason),"
                f" updated_at = ? WHERE id = ? AND status IN {among(allowed)}",
                (to, staff_id, ts(scheduled_for) if scheduled_for else None,
                 self.store.seal("requests.reason", reason), self.store.now(), request_id))
            return cursor.rowcount == 1

    async def queue(self) -> list[Request]:
        rows = await self.store.all(
            f"SELECT * FROM requests WHERE status IN {among(ACTIVE[:-1])}"
            " ORDER BY tier, due_at, id")
        return [_request(row, self.store) for row in rows]

    async def half_time_due(self, now: datetime) -> list[Request]:
        """Unclaimed priority requests past half their deadline, not yet re-alerted."""
        rows = await self.store.all(
            "SELECT * FROM requests WHERE status = 'open' AND tier < 5 AND realerted_at IS NULL"
            " AND half_at <= ? ORDER BY due_at", ts(now))
        return [_request(row, self.store) for row in rows]

    async def breached(self, now: datetime) -> list[Request]:
        """Requests whose primary deadline passed without the action it asks for."""
        rows = await self.store.all(
            "SELECT * FROM requests WHERE paged_at IS NULL AND due_at <= ? AND ("
            " status IN ('open', 'claimed') OR (status = 'contacted' AND due_kind = 'scheduled'))"
            " ORDER BY due_at", ts(now))
        return [_request(row, self.store) for row in rows]

    async def escalated(self, request_id: int, kind: str) -> bool:
        """Record an escalation once; False if it was already recorded."""
        column = {"half_time": "realerted_at", "breach": "paged_at"}[kind]
        now = self.store.now()
        async with self.store.tx() as db:
            cursor = await db.execute(
                "INSERT OR IGNORE INTO escalations (request_id, kind, at) VALUES (?, ?, ?)",
                (request_id, kind, now))
            await db.execute(f"UPDATE requests SET {column} = ? WHERE id = ?", (now, request_id))
            return cursor.rowcount == 1

    async def awaiting_admission(self) -> list[tuple[Request, frozenset[str]]]:
        """Requests in play with an admission deadline not yet paged, each with the
        admission escalations already sent ("half_time", "breach")."""
        rows = await self.store.all(
            "SELECT r.*, (SELECT group_concat(e.kind) FROM escalations e"
            "  WHERE e.request_id = r.id AND e.kind LIKE 'admission_%') AS admission_done"
            f" FROM requests r WHERE r.status IN {among(ACTIVE)} AND EXISTS (SELECT 1 FROM"
            "  json_each(r.deadlines) WHERE json_extract(value, '$.kind') = 'admission')"
            " AND NOT EXISTS (SELECT 1 FROM escalations e WHERE e.request_id = r.id"
            "  AND e.kind = 'admission_breach') ORDER BY r.id")
        return [(_request(row, self.store), frozenset(
            kind.removeprefix("admission_") for kind in (row["admission_done"] or "").split(",")
            if kind)) for row in rows]

    async def escalated_admission(self, request_id: int, kind: str) -> bool:
        """Record an admission escalation once; False if it was already recorded."""
        async with self.store.tx() as db:
            cursor = await db.execute(
                "INSERT OR IGNORE INTO escalations (request_id, kind, at) VALUES (?, ?, ?)",
                (request_id, f"admission_{kind}", self.store.now()))
            return cursor.rowcount == 1

    async def escalations(self, request_id: int) -> list[str]:
        rows = await self.store.all(
            "SELECT kind FROM escalations WHERE request_id = ? ORDER BY id", request_id)
        return [row["kind"] for row in rows]

    async def prompt(self, chat_id: int, user_id: int, request_id: int, kind: str,
                     message_id: int) -> None:
        async with self.store.tx() as db:
            await db.execute(
                "INSERT INTO staff_prompts (chat_id, user_id, request_id, kind, message_id,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (chat_id, user_id, request_id, kind, message_id, self.store.now()))

    async def take_prompt(self, chat_id: int, user_id: int, reply_to: int | None,
                          since: datetime) -> tuple[int, str] | None:
        """The prompt this message answers: a reply to it, by the same person, still fresh."""
        async with self.store.tx() as db:
            async with db.execute(
                    "DELETE FROM staff_prompts WHERE chat_id = ? AND user_id = ?"
                    " AND message_id = ? AND created_at >= ? RETURNING request_id, kind",
                    (chat_id, user_id, reply_to, ts(since))) as cursor:
                row = await cursor.fetchone()
        return (row[0], row[1]) if row else None

    async def drop_prompts(self, chat_id: int, request_id: int) -> None:
        async with self.store.tx() as db:
            await db.execute("DELETE FROM staff_prompts WHERE chat_id = ? AND request_id = ?",
                             (chat_id, request_id))
