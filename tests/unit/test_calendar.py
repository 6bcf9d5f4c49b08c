from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from bot.domain.calendar import BusinessCalendar, add_business_days, as_utc

CHICAGO = ZoneInfo("America/Chicago")
CAL = BusinessCalendar(timezone="America/Chicago")
JULY_4TH = BusinessCalendar(timezone="America/Chicago", holidays=[date(2026, 7, 3)])
THANKSGIVING = BusinessCalendar(
    timezone="America/Chicago", holidays=[date(2026, 11, 26), date(2026, 11, 27)]
)
EVERY_DAY = BusinessCalendar(timezone="America/Chicago", weekend=[])


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def chicago(*args: int) -> datetime:
    return datetime(*args, tzinfo=CHICAGO)


@pytest.mark.parametrize(
    ("cal", "start", "days", "due"),
    [
        # Fri 16:00 CST + 3 -> Wed 16:00 CST
        (CAL, utc(2026, 1, 9, 22), 3, utc(2026, 1, 14, 22)),
        # Mon 09:00 + 1 -> Tue 09:00
        (CAL, utc(2026, 1, 12, 15), 1, utc(2026, 1, 13, 15)),
        # Thu 12:00 + 1 -> Fri 12:00
        (CAL, utc(2026, 1, 15, 18), 1, utc(2026, 1, 16, 18)),
        # Fri 12:00 + 1 -> Mon 12:00
        (CAL, utc(2026, 1, 16, 18), 1, utc(2026, 1, 19, 18)),
        # Mon 09:00 + 10 -> Mon two weeks later
        (CAL, utc(2026, 1, 12, 15), 10, utc(2026, 1, 26, 15)),
        # zero days on a business day is the start itself
        (CAL, utc(2026, 1, 14, 15, 30), 0, utc(2026, 1, 14, 15, 30)),
        # Saturday UTC but still Friday 21:00 in Chicago: counts from Friday -> Mon 21:00 CST
        (CAL, utc(2026, 1, 10, 3), 1, utc(2026, 1, 13, 3)),
        # Friday UTC but already Saturday 00:30 in Kolkata: counts from Monday 00:00 IST
        (
            BusinessCalendar(timezone="Asia/Kolkata"),
            utc(2026, 1, 9, 19),
            1,
            utc(2026, 1, 12, 18, 30),
        ),
        # Sunday-Thursday working week (weekend Fri, Sat): Thu 10:00 CST + 1 -> Sun 10:00
        (BusinessCalendar(timezone="America/Chicago", weekend=[5, 6]),
         utc(2026, 1, 15, 16), 1, utc(2026, 1, 18, 16)),
    ],
)
def test_weekdays(cal: BusinessCalendar, start: datetime, days: int, due: datetime) -> None:
    assert add_business_days(start, days, cal) == due


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # Sat 10:00 + 3 -> Thu 00:00 (three whole business days: Mon, Tue, Wed)
        (chicago(2026, 1, 10, 10), 3, chicago(2026, 1, 15)),
        # Sat 00:00 and Sun 23:59 are the same as Sat 10:00
        (chicago(2026, 1, 10, 0), 3, chicago(2026, 1, 15)),
        (chicago(2026, 1, 11, 23, 59), 3, chicago(2026, 1, 15)),
        # zero days from a weekend is the start of Monday
        (chicago(2026, 1, 10, 10), 0, chicago(2026, 1, 12)),
        (chicago(2026, 1, 10, 10), 1, chicago(2026, 1, 13)),
    ],
)
def test_weekend_start_counts_from_next_business_morning(
    start: datetime, days: int, due: datetime
) -> None:
    assert add_business_days(start, days, CAL) == due


def test_later_referral_is_never_due_earlier() -> None:
    friday_late = add_business_days(chicago(2026, 1, 9, 23, 59), 3, CAL)
    saturday = add_business_days(chicago(2026, 1, 10, 0), 3, CAL)
    monday = add_business_days(chicago(2026, 1, 12, 0), 3, CAL)
    assert friday_late == chicago(2026, 1, 14, 23, 59)
    assert friday_late < saturday == monday


@pytest.mark.parametrize(
    ("cal", "start", "days", "due"),
    [
        # Thu 16:00 before a Friday holiday + 3 -> Wed 16:00 (skips Fri, Sat, Sun)
        (JULY_4TH, chicago(2026, 7, 2, 16), 3, chicago(2026, 7, 8, 16)),
        # Thu + 1 lands on Monday, not on the holiday
        (JULY_4TH, chicago(2026, 7, 2, 16), 1, chicago(2026, 7, 6, 16)),
        # a referral on the holiday counts from Monday 00:00
        (JULY_4TH, chicago(2026, 7, 3, 10), 3, chicago(2026, 7, 9)),
        # Wed noon before Thanksgiving Thu + Fri -> Monday noon
        (THANKSGIVING, chicago(2026, 11, 25, 12), 1, chicago(2026, 11, 30, 12)),
        (THANKSGIVING, chicago(2026, 11, 25, 12), 3, chicago(2026, 12, 2, 12)),
        # the same start without holidays
        (CAL, chicago(2026, 11, 25, 12), 1, chicago(2026, 11, 26, 12)),
    ],
)
def test_holidays(cal: BusinessCalendar, start: datetime, days: int, due: datetime) -> None:
    assert add_business_days(start, days, cal) == due


def test_spring_forward_keeps_local_clock_time() -> None:
    # Fri 2026-03-06 16:00 CST (UTC-6); clocks spring forward Sun 2026-03-08.
    due = add_business_days(utc(2026, 3, 6, 22), 3, CAL)
    assert due == utc(2026, 3, 11, 21)  # Wed 16:00 CDT (UTC-5)
    assert due - utc(2026, 3, 6, 22) == timedelta(days=5, hours=-1)


def test_fall_back_keeps_local_clock_time() -> None:
    # Fri 2026-10-30 16:00 CDT (UTC-5); clocks fall back Sun 2026-11-01.
    due = add_business_days(utc(2026, 10, 30, 21), 3, CAL)
    assert due == utc(2026, 11, 4, 22)  # Wed 16:00 CST (UTC-6)
    assert due - utc(2026, 10, 30, 21) == timedelta(days=5, hours=1)


def test_skipped_local_time_moves_an_hour_later() -> None:
    # Sat 02:30 CST + 1 day lands on 02:30 Sun 2026-03-08, which does not exist.
    due = add_business_days(utc(2026, 3, 7, 8, 30), 1, EVERY_DAY)
    assert due == utc(2026, 3, 8, 8, 30)
    assert due.astimezone(CHICAGO).strftime("%H:%M %Z") == "03:30 CDT"


def test_repeated_local_time_takes_first_occurrence() -> None:
    # Sat 01:30 CDT + 1 day lands on 01:30 Sun 2026-11-01, which happens twice.
    due = add_business_days(utc(2026, 10, 31, 6, 30), 1, EVERY_DAY)
    assert due == utc(2026, 11, 1, 6, 30)
    assert due.astimezone(CHICAGO).strftime("%H:%M %Z") == "01:30 CDT"


def test_result_is_utc_for_any_aware_input() -> None:
    due = add_business_days(chicago(2026, 1, 12, 9), 1, CAL)
    assert due.tzinfo is UTC
    assert due == utc(2026, 1, 13, 15)


def test_naive_start_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        add_business_days(datetime(2026, 1, 12, 9), 1, CAL)


def test_negative_days_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_business_days(utc(2026, 1, 12, 15), -1, CAL)


def test_as_utc() -> None:
    assert as_utc(chicago(2026, 7, 1, 7)) == utc(2026, 7, 1, 12)
    assert as_utc(chicago(2026, 7, 1, 7)).tzinfo is UTC
    with pytest.raises(ValueError):
        as_utc(datetime(2026, 7, 1, 7))


def test_defaults() -> None:
    assert CAL.weekend == [6, 7]
    assert CAL.holidays == []
    assert CAL.zone == CHICAGO


@pytest.mark.parametrize(
    ("day", "business"),
    [
        (date(2026, 1, 9), True),  # Friday
        (date(2026, 1, 10), False),  # Saturday
        (date(2026, 1, 11), False),  # Sunday
        (date(2026, 1, 12), True),  # Monday
    ],
)
def test_is_business_day(day: date, business: bool) -> None:
    assert CAL.is_business_day(day) is business


def test_next_business_day_skips_holidays_and_weekends() -> None:
    assert JULY_4TH.next_business_day(date(2026, 7, 2)) == date(2026, 7, 6)
    assert CAL.next_business_day(date(2026, 7, 2)) == date(2026, 7, 3)


@pytest.mark.parametrize(
    "fields",
    [
        {"timezone": "Not/AZone"},
        {"timezone": ""},
        {"timezone": "../../etc/passwd"},
        {"timezone": "America/Chicago", "weekend": [0]},
        {"timezone": "America/Chicago", "weekend": [8]},
        {"timezone": "America/Chicago", "weekend": [1, 2, 3, 4, 5, 6, 7]},
        {"timezone": "America/Chicago", "holidays": ["not a date"]},
        {"timezone": "America/Chicago", "weekends": [6, 7]},
    ],
)
def test_invalid_calendars(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        BusinessCalendar(**fields)
