"""The clinic's working days, and deadlines counted in them."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator


def _known_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown timezone {value!r}; use an IANA name such as "
                         "'America/Chicago'") from None
    return value


ZoneName = Annotated[str, AfterValidator(_known_zone)]


def as_utc(moment: datetime) -> datetime:
    """The same instant in UTC; a naive datetime is refused rather than guessed at."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("datetime must be timezone-aware")
    return moment.astimezone(UTC)


class BusinessCalendar(BaseModel):
    """Working days in the clinic's own timezone; `holidays` are local dates."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    timezone: ZoneName
    weekend: list[Annotated[int, Field(ge=1, le=7)]] = [6, 7]
    holidays: list[date] = []

    @field_validator("weekend")
    @classmethod
    def _some_workday(cls, value: list[int]) -> list[int]:
        if len(set(value)) == 7:
            raise ValueError("at least one weekday must be a working day")
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_business_day(self, day: date) -> bool:
        return day.isoweekday() not in self.weekend and day not in self.holidays

    def next_business_day(self, day: date) -> date:
        """The first business day strictly after `day`."""
        day += timedelta(days=1)
        while not self.is_business_day(day):
            day += timedelta(days=1)
        return day


def add_business_days(start: datetime, days: int, cal: BusinessCalendar) -> datetime:
    """The instant `days` business days after `start`, at the same local clock time.

    Counting happens on the clinic's wall clock, so a Friday 16:00 referral plus 3 days is
    due Wednesday 16:00 local even when a DST change falls in between (the elapsed hours then
    differ by one).

    A start on a weekend or holiday is treated as arriving at 00:00 on the next business day,
    the way a message left over the weekend is read on Monday: Saturday 10:00 plus 3 is due
    Thursday 00:00, i.e. by the end of Wednesday. This gives the person three whole business
    days and never makes a later referral due earlier than a prior one.

    A local time the DST change skips (02:30 on spring-forward day) resolves to the
    pre-change offset, one wall-clock hour later (03:30); a repeated time (01:30 on
    fall-back day) resolves to its first, earlier occurrence.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    local = as_utc(start).astimezone(cal.zone)
    day, clock = local.date(), local.time()
    if not cal.is_business_day(day):
        day, clock = cal.next_business_day(day), time(0)
    for _ in range(days):
        day = cal.next_business_day(day)
    return datetime.combine(day, clock, tzinfo=cal.zone).astimezone(UTC)
