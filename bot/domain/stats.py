"""/stats: the period asked for, and the figures over it.

Only counts, times and statuses come in, never a name, phone or text. A request's claim and
handling times are not columns: they are the first audit rows of the actions below, so they
hold for requests worked before /stats existed.
"""

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from bot.domain.calendar import as_utc
from bot.domain.priority import DeadlineKind, Tier, UTCDatetime

Problem = Literal["unreadable", "impossible", "too_long", "future"]
Outcome = Literal["met", "missed", "pending", "closed"]

DEFAULT_DAYS = 30
MAX_DAYS = 366
FIRST_YEAR = 2000
_DAYS = re.compile(r"(\d+)d")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")

# The first of these on a request is when staff took it up.
TAKEN_UP = ("staff_claim", "staff_contacted", "staff_scheduled", "staff_not_a_fit",
            "staff_admitted")
# A staff decision that ends every deadline; the person's own update can end it too.
DECIDED = ("staff_not_a_fit", "staff_admitted")
CLIENT_CLOSED = "client_closed"
WITHDRAWN = "request_withdrawn"  # the person revoked their consent
# The staff actions that do what each kind of deadline asks for.
MEETS: dict[DeadlineKind, tuple[str, ...]] = {
    DeadlineKind.CONTACT: ("staff_contacted", "staff_scheduled", *DECIDED),
    DeadlineKind.SCHEDULED: ("staff_scheduled", *DECIDED),
    DeadlineKind.ADMISSION: DECIDED,
}
ACTIONS = (*TAKEN_UP, CLIENT_CLOSED, WITHDRAWN)


class Period(BaseModel):
    """From `start` up to, not including, `end`; `name` is how staff asked for it."""

    model_config = ConfigDict(frozen=True)

    name: str
    start: UTCDatetime
    end: UTCDatetime


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return as_utc(datetime.combine(day, datetime.min.time(), tzinfo=zone))


def _through(now: datetime) -> datetime:
    """The end of a period up to now. Times are kept to the second, so it is the next whole
    second: what happened in this one, before the question, is counted."""
    return now.replace(microsecond=0) + timedelta(seconds=1)


def read_period(text: str, now: datetime, zone: ZoneInfo) -> Period | Problem:
    """`7d` (the last 7 × 24 hours), `week` (since Monday 00:00 clinic time), `month`
    (since the 1st), `2026-11` (that calendar month, up to now if it is this one), nothing
    (the last 30 days); or what is wrong with the text: "impossible" is day 0, month 13
    or a year before 2000."""
    now = as_utc(now)
    end = _through(now)
    word = text.strip().lower()
    today = now.astimezone(zone).date()
    if not word:
        return Period(name=f"{DEFAULT_DAYS}d", start=now - timedelta(days=DEFAULT_DAYS),
                      end=end)
    if match := _DAYS.fullmatch(word):
        if len(match[1]) > 4 or int(match[1]) > MAX_DAYS:
            return "too_long"
        days = int(match[1])
        if days == 0:
            return "impossible"
        return Period(name=f"{days}d", start=now - timedelta(days=days), end=end)
    if word == "week":
        monday = today - timedelta(days=today.weekday())
        return Period(name=word, start=_local_midnight(monday, zone), end=end)
    if word == "month":
        return Period(name=word, start=_local_midnight(today.replace(day=1), zone), end=end)
    if match := _MONTH.fullmatch(word):
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12 or year < FIRST_YEAR:
            return "impossible"
        first = date(year, month, 1)
        start = _local_midnight(first, zone)
        if start > now:
            return "future"
        following = date(year + month // 12, month % 12 + 1, 1)
        return Period(name=f"{year}-{month:02d}", start=start,
                      end=min(_local_midnight(following, zone), end))
    return "unreadable"


def median(spans: Iterable[timedelta]) -> timedelta | None:
    """The middle span (the mean of the two middle ones for an even count); None for none."""
    found = sorted(spans)
    if not found:
        return None
    middle = len(found) // 2
    return found[middle] if len(found) % 2 else (found[middle - 1] + found[middle]) / 2


def share(part: int, whole: int) -> float | None:
    """A fraction from 0 to 1; None when there is nothing to divide."""
    return part / whole if whole else None


class RequestFacts(BaseModel):
    """A sent request, and the first time each action in ACTIONS was taken on it."""

    model_config = ConfigDict(frozen=True)

    tier: Tier
    referred_at: UTCDatetime
    due_at: UTCDatetime
    due_kind: DeadlineKind
    actions: dict[str, UTCDatetime] = {}


def _first(facts: RequestFacts, actions: Sequence[str]) -> datetime | None:
    return min((at for action, at in facts.actions.items() if action in actions), default=None)


def taken_up_at(facts: RequestFacts) -> datetime | None:
    return _first(facts, TAKEN_UP)


def outcome(facts: RequestFacts, now: datetime) -> Outcome:
    """Whether staff did what the primary deadline asks for by then ("met"), did it late or
    not at all once it passed ("missed"), still have time ("pending"), or the person closed
    the request themselves, or withdrew their consent, before it was due ("closed", counted
    neither way)."""
    handled = _first(facts, MEETS[facts.due_kind])
    if handled is not None and handled <= facts.due_at:
        return "met"
    closed = min((facts.actions[a] for a in (CLIENT_CLOSED, WITHDRAWN) if a in facts.actions),
                 default=None)
    if closed is not None and closed <= facts.due_at:
        return "closed"
    return "missed" if as_utc(now) >= facts.due_at else "pending"


class RequestFigures(BaseModel):
    by_tier: dict[Tier, int]
    total: int
    outcomes: dict[str, int]
    on_time: float | None
    taken_up: int
    median_to_claim: timedelta | None


def request_figures(requests: Sequence[RequestFacts], now: datetime) -> RequestFigures:
    tiers = Counter(r.tier for r in requests)
    outcomes = Counter(outcome(r, now) for r in requests)
    waits = [at - r.referred_at for r in requests if (at := taken_up_at(r)) is not None]
    return RequestFigures(
        by_tier={tier: tiers[tier] for tier in Tier}, total=len(requests),
        outcomes={name: outcomes[name] for name in ("met", "missed", "pending", "closed")},
        on_time=share(outcomes["met"], outcomes["met"] + outcomes["missed"]),
        taken_up=len(waits), median_to_claim=median(waits))


class PageFacts(BaseModel):
    """A safety event: every one pages staff; `repages` counts the pages after the first."""

    model_config = ConfigDict(frozen=True)

    detected_at: UTCDatetime
    acked_at: UTCDatetime | None
    repages: int


class PageFigures(BaseModel):
    pages: int
    acked: int
    median_to_ack: timedelta | None
    repages: int


def page_figures(events: Sequence[PageFacts]) -> PageFigures:
    waits = [e.acked_at - e.detected_at for e in events if e.acked_at is not None]
    return PageFigures(pages=len(events), acked=len(waits), median_to_ack=median(waits),
                       repages=sum(e.repages for e in events))


class ReminderFacts(BaseModel):
    """A reminder row, and the answer its session got ("confirmed", "cant_make_it")."""

    model_config = ConfigDict(frozen=True)

    session_id: int
    status: str
    attendance: str | None


class ReminderFigures(BaseModel):
    by_status: dict[str, int]
    delivered: float | None
    sessions: int
    confirmed: int
    cant_make_it: int
    confirmation: float | None


def reminder_figures(reminders: Sequence[ReminderFacts]) -> ReminderFigures:
    """Delivery is sent out of sent or failed: a reminder skipped (the client turned them
    off, or the session was cancelled) was never meant to go. Confirmation is per session
    that got at least one reminder."""
    statuses = Counter(r.status for r in reminders)
    reached = {r.session_id: r.attendance for r in reminders if r.status == "sent"}
    answers = Counter(reached.values())
    return ReminderFigures(
        by_status={name: statuses[name] for name in ("sent", "failed", "skipped", "pending")},
        delivered=share(statuses["sent"], statuses["sent"] + statuses["failed"]),
        sessions=len(reached), confirmed=answers["confirmed"],
        cant_make_it=answers["cant_make_it"],
        confirmation=share(answers["confirmed"], len(reached)))


class LessonFacts(BaseModel):
    model_config = ConfigDict(frozen=True)

    lesson_id: str
    helpful: bool | None


class LessonRow(BaseModel):
    lesson_id: str
    delivered: int
    helpful: int
    not_helpful: int


class LessonFigures(BaseModel):
    rows: list[LessonRow]
    delivered: int
    helpful: int
    not_helpful: int
    helpful_share: float | None


def lesson_figures(deliveries: Sequence[LessonFacts]) -> LessonFigures:
    """Per lesson, in id order; the share is of the answers, not of the deliveries."""
    answers: dict[str, list[bool | None]] = {}
    for delivery in sorted(deliveries, key=lambda d: d.lesson_id):
        answers.setdefault(delivery.lesson_id, []).append(delivery.helpful)
    rows = [LessonRow(lesson_id=lesson_id, delivered=len(given), helpful=given.count(True),
                      not_helpful=given.count(False)) for lesson_id, given in answers.items()]
    helpful = sum(row.helpful for row in rows)
    not_helpful = sum(row.not_helpful for row in rows)
    return LessonFigures(rows=rows, delivered=len(deliveries), helpful=helpful,
                         not_helpful=not_helpful,
                         helpful_share=share(helpful, helpful + not_helpful))
