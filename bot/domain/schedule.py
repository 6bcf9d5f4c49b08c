"""When enrolled clients' sessions happen, and when their reminders go out.

Everything is UTC in and out; rules and quiet hours are read on the clinic's wall clock.
A local time a DST change skips (02:30 on spring-forward day) resolves one hour later
(03:30); a repeated one (01:30 on fall-back day) resolves to its first occurrence.
"""

import math
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.domain.calendar import as_utc

DAY = timedelta(days=1)
QUIET_MARGIN = timedelta(minutes=1)


class Recurrence(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    weekdays: list[Annotated[int, Field(ge=1, le=7)]] = Field(min_length=1)
    start: time
    minutes: int = Field(gt=0)
    kind: Literal["group", "individual", "medication"]
    starts_on: date
    ends_on: date | None = None

    @field_validator("weekdays")
    @classmethod
    def _unique(cls, value: list[int]) -> list[int]:
        return sorted(set(value))

    @field_validator("start")
    @classmethod
    def _local(cls, value: time) -> time:
        if value.tzinfo is not None:
            raise ValueError("start is a local wall-clock time; leave the timezone off")
        return value

    @model_validator(mode="after")
    def _ends_after_start(self) -> "Recurrence":
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        return self


def _at(day: date, clock: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def occurrences(rule: Recurrence, zone: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    """Session starts in [start, end), in UTC; 18:00 local stays 18:00 local across DST."""
    start, end = as_utc(start), as_utc(end)
    day = max(start.astimezone(zone).date(), rule.starts_on)
    last = end.astimezone(zone).date()
    if rule.ends_on is not None:
        last = min(last, rule.ends_on)
    found = []
    while day <= last:
        moment = _at(day, rule.start, zone)
        if day.isoweekday() in rule.weekdays and start <= moment < end:
            found.append(moment)
        day += DAY
    return found


def _is_quiet(clock: time, quiet_start: time, quiet_end: time) -> bool:
    """Quiet hours are [quiet_start, quiet_end) and may wrap midnight; equal ends mean none."""
    if quiet_start <= quiet_end:
        return quiet_start <= clock < quiet_end
    return clock >= quiet_start or clock < quiet_end


def reminder_at(session_start: datetime, offset: timedelta, zone: ZoneInfo,
                quiet_start: time, quiet_end: time) -> datetime:
    """When to remind about a session, in UTC.

    Whole days of `offset` count on the local wall clock, the rest as elapsed time: 24 h
    before Sunday 18:00 is Saturday 18:00 local even when that is 23 or 25 hours earlier,
    while 1 h before is always 60 minutes before.

    A reminder that lands in quiet hours moves earlier, never later, to one minute before
    the quiet hours that contain it begin: a 1 h reminder for an 08:30 session (07:30,
    inside 21:00-08:00) goes out at 20:59 the evening before. It is never dropped, even
    though the move can be most of a night.
    """
    if offset <= timedelta(0):
        raise ValueError("a reminder offset must be positive")
    local = as_utc(session_start).astimezone(zone)
    days = offset // DAY
    due = _at(local.date() - timedelta(days=days), local.time(), zone) - (offset - days * DAY)
    clock = due.astimezone(zone)
    if not _is_quiet(clock.time(), quiet_start, quiet_end):
        return due
    night = clock.date()
    if quiet_start > quiet_end and clock.time() < quiet_end:
        night -= DAY
    return _at(night, quiet_start, zone) - QUIET_MARGIN


def reminder_plan(session_start: datetime, offsets: list[timedelta], zone: ZoneInfo,
                  quiet_start: time, quiet_end: time,
                  now: datetime) -> list[tuple[timedelta, datetime]]:
    """(offset, due_at) pairs in due order.

    A reminder whose time has already passed is dropped while a later one is still to
    come, so a session booked less than a day ahead gets one reminder, not a late "day
    before" one and then another soon after. If every reminder's time has passed, one is
    due `now`, quiet hours or not. Offsets that fall due at the same moment merge into
    one, keeping the larger offset. A plan made once the session has begun is empty.
    """
    session_start, now = as_utc(session_start), as_utc(now)
    if session_start <= now:
        return []
    plan: dict[datetime, timedelta] = {}
    for offset in offsets:
        due = reminder_at(session_start, offset, zone, quiet_start, quiet_end)
        if due >= now:
            plan[due] = max(offset, plan.get(due, offset))
    if not plan:
        plan[now] = max(offsets)
    return sorted(((offset, due) for due, offset in plan.items()), key=lambda pair: pair[1])


def days_until(moment: datetime, now: datetime, zone: ZoneInfo) -> int:
    """Days from now to `moment` on the local calendar: 0 today, 1 tomorrow."""
    return (as_utc(moment).astimezone(zone).date() - as_utc(now).astimezone(zone).date()).days


def spread(count: int, window_start: datetime, window: timedelta,
           per_second: float) -> list[datetime]:
    """Send times for `count` reminders that fall due together, evenly spaced over `window`.

    Times are at least 1/per_second apart (rounded up to the microsecond), so with a whole
    `per_second` no one-second span holds more than `per_second` sends. When the window is
    too short for that, the rate wins and the sends run past the end of the window.
    """
    if count < 0 or per_second <= 0:
        raise ValueError("count must be >= 0 and per_second > 0")
    if count == 0:
        return []
    start = as_utc(window_start)
    fastest = math.ceil(1_000_000 / per_second)
    gap = timedelta(microseconds=max(fastest, (window // timedelta(microseconds=1)) // count))
    return [start + index * gap for index in range(count)]
