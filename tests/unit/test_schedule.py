import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from bot.domain.schedule import (
    Recurrence,
    days_until,
    occurrences,
    reminder_at,
    reminder_plan,
    spread,
)

CHICAGO = ZoneInfo("America/Chicago")
NIGHT = (time(21), time(8))
NO_QUIET = (time(0), time(0))
HOUR = timedelta(hours=1)
DAY = timedelta(hours=24)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def chicago(*args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=CHICAGO, fold=fold)


def rule(weekdays: list[int], start: time = time(18), starts_on: date = date(2026, 1, 1),
         ends_on: date | None = None) -> Recurrence:
    return Recurrence(weekdays=weekdays, start=start, minutes=180, kind="group",
                      starts_on=starts_on, ends_on=ends_on)


MON_WED_FRI = rule([1, 3, 5])


@pytest.mark.parametrize(
    ("recurrence", "start", "end", "expected"),
    [
        # an ordinary week: Mon, Wed, Fri 18:00 CST is 00:00 UTC the next day
        (MON_WED_FRI, utc(2026, 1, 12), utc(2026, 1, 19),
         [utc(2026, 1, 13), utc(2026, 1, 15), utc(2026, 1, 17)]),
        # spring forward (Sun 2026-03-08): Friday is CST, Monday is CDT, both 18:00 local
        (MON_WED_FRI, utc(2026, 3, 6), utc(2026, 3, 10),
         [utc(2026, 3, 7, 0), utc(2026, 3, 9, 23)]),
        # fall back (Sun 2026-11-01): Friday is CDT, Monday is CST
        (MON_WED_FRI, utc(2026, 10, 30), utc(2026, 11, 4),
         [utc(2026, 10, 30, 23), utc(2026, 11, 3, 0)]),
        # [start, end): a session exactly at start counts, one exactly at end does not
        (MON_WED_FRI, utc(2026, 1, 13), utc(2026, 1, 15), [utc(2026, 1, 13)]),
        # a weekend-only rule in a week with both weekend days
        (rule([6, 7], time(10)), utc(2026, 1, 12), utc(2026, 1, 19),
         [utc(2026, 1, 17, 16), utc(2026, 1, 18, 16)]),
        # a weekday listed twice is one session
        (rule([2, 2]), utc(2026, 1, 12), utc(2026, 1, 19), [utc(2026, 1, 14)]),
        # nothing before starts_on, nothing after ends_on (inclusive local dates)
        (rule([1, 3, 5], starts_on=date(2026, 1, 14), ends_on=date(2026, 1, 16)),
         utc(2026, 1, 1), utc(2026, 2, 1), [utc(2026, 1, 15), utc(2026, 1, 17)]),
        # an empty range
        (MON_WED_FRI, utc(2026, 1, 13), utc(2026, 1, 13), []),
        # 02:30 does not exist on 2026-03-08: one hour later, 03:30 CDT
        (rule([7], time(2, 30)), utc(2026, 3, 8), utc(2026, 3, 9), [utc(2026, 3, 8, 8, 30)]),
        # 01:30 happens twice on 2026-11-01: the first one, 01:30 CDT
        (rule([7], time(1, 30)), utc(2026, 11, 1), utc(2026, 11, 2), [utc(2026, 11, 1, 6, 30)]),
    ],
)
def test_occurrences(recurrence: Recurrence, start: datetime, end: datetime,
                     expected: list[datetime]) -> None:
    assert occurrences(recurrence, CHICAGO, start, end) == expected


def test_occurrences_are_utc_and_accept_any_aware_bounds() -> None:
    found = occurrences(MON_WED_FRI, CHICAGO, chicago(2026, 1, 12), chicago(2026, 1, 19))
    assert [moment.tzinfo for moment in found] == [UTC] * 3
    with pytest.raises(ValueError, match="aware"):
        occurrences(MON_WED_FRI, CHICAGO, datetime(2026, 1, 12), utc(2026, 1, 19))


@pytest.mark.parametrize(
    "fields",
    [
        {"weekdays": []},
        {"weekdays": [0]},
        {"weekdays": [8]},
        {"minutes": 0},
        {"kind": "yoga"},
        {"ends_on": date(2025, 12, 31)},
        {"start": time(18, tzinfo=UTC)},
    ],
)
def test_recurrence_rejects(fields: dict) -> None:
    base = {"weekdays": [1], "start": time(18), "minutes": 60, "kind": "individual",
            "starts_on": date(2026, 1, 1)}
    with pytest.raises(ValidationError):
        Recurrence(**(base | fields))


@pytest.mark.parametrize(
    ("session", "offset", "due", "elapsed"),
    [
        # 24 h before means the same local time the day before
        (chicago(2026, 1, 12, 18), DAY, chicago(2026, 1, 11, 18), DAY),
        # Sunday 2026-03-08 18:00 CDT <- Saturday 18:00 CST: 23 elapsed hours
        (chicago(2026, 3, 8, 18), DAY, chicago(2026, 3, 7, 18), timedelta(hours=23)),
        # Monday 2026-03-09: the day before is already CDT, so 24 elapsed hours
        (chicago(2026, 3, 9, 18), DAY, chicago(2026, 3, 8, 18), DAY),
        # ... and 48 h before Monday reaches back over the change: 47 elapsed hours
        (chicago(2026, 3, 9, 18), 2 * DAY, chicago(2026, 3, 7, 18), timedelta(hours=47)),
        # Sunday 2026-11-01 18:00 CST <- Saturday 18:00 CDT: 25 elapsed hours
        (chicago(2026, 11, 1, 18), DAY, chicago(2026, 10, 31, 18), timedelta(hours=25)),
        # Monday 2026-11-02 18:00 CST, 48 h: Saturday 18:00 CDT, 49 elapsed hours
        (chicago(2026, 11, 2, 18), 2 * DAY, chicago(2026, 10, 31, 18), timedelta(hours=49)),
        # the part under a day is elapsed time: 1 h before 03:30 CDT on spring-forward
        # day is 01:30 CST (02:30 does not exist)
        (chicago(2026, 3, 8, 3, 30), HOUR, chicago(2026, 3, 8, 1, 30), HOUR),
        # 1 h before 01:30 CST (the second one) on fall-back day is 01:30 CDT (the first)
        (chicago(2026, 11, 1, 1, 30, fold=1), HOUR, chicago(2026, 11, 1, 1, 30), HOUR),
        # 25 h: the same time the day before, then one more hour
        (chicago(2026, 3, 8, 18), DAY + HOUR, chicago(2026, 3, 7, 17), timedelta(hours=24)),
    ],
)
def test_offsets_count_days_on_the_wall_clock(session: datetime, offset: timedelta,
                                              due: datetime, elapsed: timedelta) -> None:
    got = reminder_at(session, offset, CHICAGO, *NO_QUIET)
    assert got == due.astimezone(UTC)  # an ambiguous local time never equals another zone's
    assert got.tzinfo is UTC
    assert session - got == elapsed


@pytest.mark.parametrize(
    ("session", "offset", "quiet", "due"),
    [
        # outside quiet hours: unchanged
        (chicago(2026, 1, 12, 18), HOUR, NIGHT, chicago(2026, 1, 12, 17)),
        # 07:30 is inside 21:00-08:00: moved to 20:59 the evening before
        (chicago(2026, 1, 12, 8, 30), HOUR, NIGHT, chicago(2026, 1, 11, 20, 59)),
        # 23:00 is inside, before midnight: 20:59 the same evening
        (chicago(2026, 1, 13, 0), HOUR, NIGHT, chicago(2026, 1, 12, 20, 59)),
        # the edges: 21:00 is quiet, 20:59 and 08:00 are not
        (chicago(2026, 1, 12, 22), HOUR, NIGHT, chicago(2026, 1, 12, 20, 59)),
        (chicago(2026, 1, 12, 21, 59), HOUR, NIGHT, chicago(2026, 1, 12, 20, 59)),
        (chicago(2026, 1, 12, 9), HOUR, NIGHT, chicago(2026, 1, 12, 8)),
        # 24 h before a 07:00 session is 07:00 the day before: 20:59 two evenings before
        (chicago(2026, 1, 14, 7), DAY, NIGHT, chicago(2026, 1, 12, 20, 59)),
        # quiet hours that don't wrap midnight: 12:00-13:00
        (chicago(2026, 1, 12, 13, 30), HOUR, (time(12), time(13)), chicago(2026, 1, 12, 11, 59)),
        (chicago(2026, 1, 12, 14), HOUR, (time(12), time(13)), chicago(2026, 1, 12, 13)),
        # equal ends mean no quiet hours
        (chicago(2026, 1, 12, 4), HOUR, NO_QUIET, chicago(2026, 1, 12, 3)),
        # 07:30 CDT on spring-forward morning -> 20:59 CST the night before
        (chicago(2026, 3, 8, 8, 30), HOUR, NIGHT, chicago(2026, 3, 7, 20, 59)),
        # 07:30 CST on fall-back morning -> 20:59 CDT the night before
        (chicago(2026, 11, 1, 8, 30), HOUR, NIGHT, chicago(2026, 10, 31, 20, 59)),
    ],
)
def test_quiet_hours_move_reminders_earlier(session: datetime, offset: timedelta,
                                            quiet: tuple[time, time], due: datetime) -> None:
    got = reminder_at(session, offset, CHICAGO, *quiet)
    assert got == due
    assert got <= session - offset


@pytest.mark.parametrize("offset", [timedelta(0), -HOUR])
def test_reminder_offset_must_be_positive(offset: timedelta) -> None:
    with pytest.raises(ValueError, match="positive"):
        reminder_at(chicago(2026, 1, 12, 18), offset, CHICAGO, *NIGHT)


SESSION = chicago(2026, 1, 12, 18)
EARLY_SESSION = chicago(2026, 1, 12, 8, 30)


@pytest.mark.parametrize(
    ("session", "offsets", "now", "plan"),
    [
        # both reminders in due order, whatever order the offsets come in
        (SESSION, [HOUR, DAY], chicago(2026, 1, 1),
         [(DAY, chicago(2026, 1, 11, 18)), (HOUR, chicago(2026, 1, 12, 17))]),
        # 1 h and 45 min before 08:30 are both quiet: one reminder at 20:59, the larger offset
        (EARLY_SESSION, [timedelta(minutes=45), HOUR], chicago(2026, 1, 1),
         [(HOUR, chicago(2026, 1, 11, 20, 59))]),
        # the same offset twice is one reminder
        (SESSION, [HOUR, HOUR], chicago(2026, 1, 1), [(HOUR, chicago(2026, 1, 12, 17))]),
        # booked 3 h before: the late 24 h reminder is dropped, the 1 h one goes as usual
        (SESSION, [DAY, HOUR], chicago(2026, 1, 12, 15), [(HOUR, chicago(2026, 1, 12, 17))]),
        # booked at 20:58 for 08:30: only the quiet-hours 1 h reminder at 20:59, not two
        (EARLY_SESSION, [DAY, HOUR], chicago(2026, 1, 11, 20, 58),
         [(HOUR, chicago(2026, 1, 11, 20, 59))]),
        # booked 30 min before: every time has passed, so one reminder now
        (SESSION, [DAY, HOUR], chicago(2026, 1, 12, 17, 30), [(DAY, chicago(2026, 1, 12, 17, 30))]),
        # booked 30 h before, with three offsets: the 48 h one is dropped
        (SESSION, [2 * DAY, DAY, HOUR], chicago(2026, 1, 11, 12),
         [(DAY, chicago(2026, 1, 11, 18)), (HOUR, chicago(2026, 1, 12, 17))]),
        # late for a quiet-hours reminder (20:59 last night): due now, even at 07:00
        (EARLY_SESSION, [HOUR], chicago(2026, 1, 12, 7), [(HOUR, chicago(2026, 1, 12, 7))]),
        # the session has started: nothing
        (SESSION, [DAY, HOUR], SESSION, []),
        (SESSION, [DAY, HOUR], chicago(2026, 1, 12, 19), []),
    ],
)
def test_reminder_plan(session: datetime, offsets: list[timedelta], now: datetime,
                       plan: list[tuple[timedelta, datetime]]) -> None:
    assert reminder_plan(session, offsets, CHICAGO, *NIGHT, now) == plan


@pytest.mark.parametrize(
    ("moment", "now", "days"),
    [
        (chicago(2026, 1, 12, 18), chicago(2026, 1, 12, 9), 0),
        (chicago(2026, 1, 12, 0, 30), chicago(2026, 1, 11, 23, 59), 1),
        (chicago(2026, 1, 12, 18), chicago(2026, 1, 11, 18), 1),
        (chicago(2026, 1, 12, 8), chicago(2026, 1, 11, 21), 1),
        (chicago(2026, 1, 14, 18), chicago(2026, 1, 12, 8), 2),
        # 23:30 UTC is still the same evening in Chicago
        (datetime(2026, 1, 13, 0, 30, tzinfo=UTC), chicago(2026, 1, 12, 9), 0),
        (chicago(2026, 3, 9, 18), chicago(2026, 3, 8, 1), 1),
    ],
)
def test_days_until_counts_local_dates(moment: datetime, now: datetime, days: int) -> None:
    assert days_until(moment, now, CHICAGO) == days


def per_second_peak(times: list[datetime]) -> int:
    """The most sends in any one-second span [t, t + 1 s)."""
    peak, first = 0, 0
    for last, moment in enumerate(times):
        while moment - times[first] >= timedelta(seconds=1):
            first += 1
        peak = max(peak, last - first + 1)
    return peak


@pytest.mark.parametrize(
    ("window", "last_before"),
    [
        # 10,000 at 30/s need 333.3 s: a 10-minute window spreads them out to 60 ms apart
        (timedelta(minutes=10), timedelta(minutes=10)),
        # exactly enough room
        (timedelta(seconds=10_000 / 30), timedelta(seconds=10_000 / 30)),
        # a 1-minute window is too short: the rate holds and the sends run ~333 s
        (timedelta(minutes=1), timedelta(seconds=333.5)),
    ],
)
def test_spread_10000_at_30_per_second(window: timedelta, last_before: timedelta) -> None:
    start = utc(2026, 1, 12, 0)
    times = spread(10_000, start, window, 30)
    assert len(times) == 10_000
    assert times[0] == start
    assert times == sorted(set(times))
    assert per_second_peak(times) <= 30
    assert times[-1] < start + last_before
    gaps = {later - earlier for earlier, later in itertools.pairwise(times)}
    assert len(gaps) == 1


def test_spread_uses_the_whole_window_when_it_fits() -> None:
    start = utc(2026, 1, 12, 0)
    times = spread(600, start, timedelta(minutes=10), 30)
    assert times[1] - times[0] == timedelta(seconds=1)
    assert times[-1] == start + timedelta(seconds=599)


def test_spread_overflows_only_when_it_must() -> None:
    start = utc(2026, 1, 12, 0)
    times = spread(10_000, start, timedelta(minutes=1), 30)
    assert times[-1] > start + timedelta(minutes=1)
    assert times[-1] - start == 9_999 * timedelta(microseconds=33_334)


@pytest.mark.parametrize(("count", "expected"), [(0, []), (1, [utc(2026, 1, 12)])])
def test_spread_small_counts(count: int, expected: list[datetime]) -> None:
    assert spread(count, utc(2026, 1, 12), timedelta(minutes=1), 30) == expected


@pytest.mark.parametrize(("count", "per_second"), [(-1, 30), (10, 0)])
def test_spread_rejects(count: int, per_second: float) -> None:
    with pytest.raises(ValueError):
        spread(count, utc(2026, 1, 12), timedelta(minutes=1), per_second)
