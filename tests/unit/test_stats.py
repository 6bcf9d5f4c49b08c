from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from bot.domain.priority import DeadlineKind, Tier
from bot.domain.stats import (
    ACTIONS,
    MEETS,
    TAKEN_UP,
    LessonFacts,
    LessonRow,
    PageFacts,
    Period,
    ReminderFacts,
    RequestFacts,
    lesson_figures,
    median,
    outcome,
    page_figures,
    read_period,
    reminder_figures,
    request_figures,
    share,
    taken_up_at,
)

CHICAGO = ZoneInfo("America/Chicago")
TOKYO = ZoneInfo("Asia/Tokyo")
# Thursday 26 Nov 2026, 10:00 in Chicago.
NOW = datetime(2026, 11, 26, 16, 0, tzinfo=UTC)
CONTACT, SCHEDULED, ADMISSION = DeadlineKind
MIN = timedelta(minutes=1)
THROUGH = NOW + timedelta(seconds=1)  # the end of a period up to NOW


def local(*args, zone=CHICAGO, fold=0) -> datetime:
    return datetime(*args, tzinfo=zone, fold=fold).astimezone(UTC)


@pytest.mark.parametrize(("text", "name", "start", "end"), [
    ("", "30d", NOW - timedelta(days=30), THROUGH),
    ("  ", "30d", NOW - timedelta(days=30), THROUGH),
    ("7d", "7d", NOW - timedelta(days=7), THROUGH),
    ("30D", "30d", NOW - timedelta(days=30), THROUGH),
    (" 1d ", "1d", NOW - timedelta(days=1), THROUGH),
    ("007d", "7d", NOW - timedelta(days=7), THROUGH),
    ("366d", "366d", NOW - timedelta(days=366), THROUGH),
    ("week", "week", local(2026, 11, 23), THROUGH),
    ("WEEK", "week", local(2026, 11, 23), THROUGH),
    ("month", "month", local(2026, 11, 1), THROUGH),
    ("2026-11", "2026-11", local(2026, 11, 1), THROUGH),
    ("2026-10", "2026-10", local(2026, 10, 1), local(2026, 11, 1)),
    ("2026-3", "2026-03", local(2026, 3, 1), local(2026, 4, 1)),
    ("2025-12", "2025-12", local(2025, 12, 1), local(2026, 1, 1)),
    ("2000-01", "2000-01", local(2000, 1, 1), local(2000, 2, 1)),
])
def test_reads_periods(text, name, start, end):
    assert read_period(text, NOW, CHICAGO) == Period(name=name, start=start, end=end)


def test_month_bounds_are_local_midnights_across_dst():
    """October ends on CDT midnight (05:00 UTC), November on CST midnight (06:00 UTC): the
    month is 31 days and one hour long."""
    period = read_period("2026-11", datetime(2027, 1, 1, tzinfo=UTC), CHICAGO)
    assert isinstance(period, Period)
    assert period.start == datetime(2026, 11, 1, 5, tzinfo=UTC)
    assert period.end == datetime(2026, 12, 1, 6, tzinfo=UTC)
    march = read_period("2026-03", NOW, CHICAGO)
    assert isinstance(march, Period)
    assert march.end - march.start == timedelta(days=31) - timedelta(hours=1)


def test_day_counts_are_elapsed_time_across_dst():
    after = datetime(2026, 11, 3, 16, tzinfo=UTC)
    period = read_period("7d", after, CHICAGO)
    assert isinstance(period, Period)
    assert (period.start, period.end) == (after - timedelta(days=7), after + timedelta(seconds=1))


def test_a_period_up_to_now_takes_in_the_current_second():
    """Times are stored to the second: a row written at 16:00:00.9 reads 16:00:00."""
    now = NOW + timedelta(microseconds=900_000)
    for text in ("", "3d", "week", "month", "2026-11"):
        period = read_period(text, now, CHICAGO)
        assert isinstance(period, Period)
        assert period.end == THROUGH


@pytest.mark.parametrize(("now", "start"), [
    (local(2026, 11, 23, 0, 0), local(2026, 11, 23)),  # Monday midnight: a week just begun
    (local(2026, 11, 22, 23, 59), local(2026, 11, 16)),  # Sunday night: still last week's
    (local(2026, 11, 1, 1, 30, fold=1), local(2026, 10, 26)),  # fall-back night
    (local(2026, 3, 8, 3, 0), local(2026, 3, 2)),  # spring-forward Sunday
])
def test_week_starts_monday_in_clinic_time(now, start):
    period = read_period("week", now, CHICAGO)
    assert isinstance(period, Period)
    assert (period.start, period.end) == (start, now + timedelta(seconds=1))


def test_week_and_month_follow_the_clinic_day_not_utc():
    """Sunday 30 Nov 2026 20:00 in Chicago is already Monday 1 Dec in UTC."""
    now = local(2026, 11, 30, 20, 0)
    week, month = read_period("week", now, CHICAGO), read_period("month", now, CHICAGO)
    assert isinstance(week, Period) and isinstance(month, Period)
    assert week.start == local(2026, 11, 30)
    assert month.start == local(2026, 11, 1)
    tokyo = read_period("month", now, TOKYO)
    assert isinstance(tokyo, Period)
    assert tokyo.start == local(2026, 12, 1, zone=TOKYO)


def test_a_naive_now_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        read_period("7d", datetime(2026, 11, 26), CHICAGO)


@pytest.mark.parametrize(("text", "problem"), [
    ("0d", "impossible"),
    ("2026-13", "impossible"),
    ("2026-00", "impossible"),
    ("1999-12", "impossible"),
    ("0000-01", "impossible"),
    ("367d", "too_long"),
    ("99999d", "too_long"),
    ("9" * 5000 + "d", "too_long"),
    ("2026-12", "future"),
    ("9999-12", "future"),
    ("days", "unreadable"),
    ("7", "unreadable"),
    ("d", "unreadable"),
    ("-7d", "unreadable"),
    ("7 d", "unreadable"),
    ("7days", "unreadable"),
    ("last week", "unreadable"),
    ("2026-11-01", "unreadable"),
    ("11/2026", "unreadable"),
    ("26-11", "unreadable"),
    ("month 2026-11", "unreadable"),
])
def test_says_what_is_wrong_with_a_period(text, problem):
    assert read_period(text, NOW, CHICAGO) == problem


def test_period_times_are_kept_in_utc():
    period = Period(name="x", start=local(2026, 11, 1), end=NOW.astimezone(CHICAGO))
    assert period.start.tzinfo == UTC and period.end.tzinfo == UTC
    with pytest.raises(ValidationError):
        Period(name="x", start=datetime(2026, 11, 1), end=NOW)


@pytest.mark.parametrize(("spans", "expect"), [
    ([], None),
    ([5], 5),
    ([7, 1], 4),
    ([9, 1, 5], 5),
    ([1, 2, 3, 100], 2.5),
    ([4, 4, 4, 4], 4),
])
def test_median(spans, expect):
    found = median(timedelta(minutes=m) for m in spans)
    assert found == (None if expect is None else timedelta(minutes=expect))


@pytest.mark.parametrize(("part", "whole", "expect"), [
    (0, 0, None), (0, 4, 0.0), (1, 4, 0.25), (3, 3, 1.0),
])
def test_share(part, whole, expect):
    assert share(part, whole) == expect


def request(kind=CONTACT, tier=Tier.STANDARD, *, hours=48, **after_minutes) -> RequestFacts:
    """A request referred at NOW - 72h, due `hours` later, with actions `name=minutes`
    after referral."""
    referred = NOW - timedelta(hours=72)
    actions = {f"{'client' if name == 'closed' else 'staff'}_{name}": referred + minutes * MIN
               for name, minutes in after_minutes.items()}
    return RequestFacts(tier=tier, referred_at=referred, due_at=referred + timedelta(hours=hours),
                        due_kind=kind, actions=actions)


def test_the_actions_read_are_the_ones_that_take_up_and_meet_deadlines():
    assert set(ACTIONS) == {*TAKEN_UP, "client_closed", "request_withdrawn"}
    assert all(set(actions) <= set(TAKEN_UP) for actions in MEETS.values())
    assert set(MEETS) == set(DeadlineKind)


@pytest.mark.parametrize(("facts", "minutes"), [
    (request(), None),
    (request(claim=30), 30),
    (request(contacted=20, claim=30), 20),
    (request(scheduled=90), 90),
    (request(not_a_fit=5), 5),
    (request(admitted=500), 500),
    (request(closed=3), None),
])
def test_taken_up_is_the_first_staff_action(facts, minutes):
    expect = None if minutes is None else facts.referred_at + minutes * MIN
    assert taken_up_at(facts) == expect


DUE = 48 * 60


@pytest.mark.parametrize(("facts", "expect"), [
    (request(contacted=DUE), "met"),
    (request(contacted=DUE + 1), "missed"),
    (request(claim=10), "missed"),
    (request(claim=10, hours=100), "pending"),
    (request(hours=72), "missed"),  # due exactly now
    (request(scheduled=60), "met"),
    (request(not_a_fit=60), "met"),
    (request(admitted=60), "met"),
    (request(claim=1, contacted=DUE + 5, scheduled=DUE - 5), "met"),
    (request(SCHEDULED, contacted=60), "missed"),
    (request(SCHEDULED, contacted=60, hours=100), "pending"),
    (request(SCHEDULED, scheduled=DUE), "met"),
    (request(SCHEDULED, not_a_fit=60), "met"),
    (request(ADMISSION, contacted=5, scheduled=60), "missed"),
    (request(ADMISSION, admitted=DUE), "met"),
    (request(closed=60), "closed"),
    (request(closed=60, hours=100), "closed"),
    (request(closed=DUE + 1), "missed"),
    (request(contacted=DUE + 1, hours=100), "met"),
    (request(contacted=30, closed=60), "met"),
])
def test_outcome_of_a_deadline(facts, expect):
    assert outcome(facts, NOW) == expect


def test_request_figures():
    requests = [
        request(tier=Tier.PREGNANT, claim=30, scheduled=60),
        request(tier=Tier.PREGNANT, claim=90),
        request(tier=Tier.INJECTING, contacted=10),
        request(tier=Tier.STANDARD, hours=100),
        request(tier=Tier.STANDARD, closed=5),
    ]
    found = request_figures(requests, NOW)
    assert found.by_tier == {Tier.PREGNANT_INJECTING: 0, Tier.PREGNANT: 2, Tier.INJECTING: 1,
                             Tier.DISCHARGED: 0, Tier.STANDARD: 2}
    assert list(found.by_tier) == list(Tier)
    assert found.total == 5
    assert found.outcomes == {"met": 2, "missed": 1, "pending": 1, "closed": 1}
    assert found.on_time == pytest.approx(2 / 3)
    assert found.taken_up == 3
    assert found.median_to_claim == 30 * MIN


def test_request_figures_of_nothing():
    found = request_figures([], NOW)
    assert found.total == 0 and set(found.by_tier.values()) == {0}
    assert found.on_time is None and found.median_to_claim is None
    assert found.outcomes == {"met": 0, "missed": 0, "pending": 0, "closed": 0}


def test_page_figures():
    events = [PageFacts(detected_at=NOW, acked_at=NOW + 4 * MIN, repages=0),
              PageFacts(detected_at=NOW, acked_at=NOW + 10 * MIN, repages=2),
              PageFacts(detected_at=NOW, acked_at=None, repages=5)]
    found = page_figures(events)
    assert (found.pages, found.acked, found.repages) == (3, 2, 7)
    assert found.median_to_ack == 7 * MIN
    empty = page_figures([])
    assert (empty.pages, empty.acked, empty.median_to_ack, empty.repages) == (0, 0, None, 0)


def test_reminder_figures():
    reminders = [
        ReminderFacts(session_id=1, status="sent", attendance="confirmed"),
        ReminderFacts(session_id=1, status="sent", attendance="confirmed"),
        ReminderFacts(session_id=2, status="sent", attendance="cant_make_it"),
        ReminderFacts(session_id=3, status="sent", attendance=None),
        ReminderFacts(session_id=3, status="failed", attendance=None),
        ReminderFacts(session_id=4, status="skipped", attendance="confirmed"),
        ReminderFacts(session_id=5, status="pending", attendance=None),
    ]
    found = reminder_figures(reminders)
    assert found.by_status == {"sent": 4, "failed": 1, "skipped": 1, "pending": 1}
    assert found.delivered == pytest.approx(4 / 5)
    assert (found.sessions, found.confirmed, found.cant_make_it) == (3, 1, 1)
    assert found.confirmation == pytest.approx(1 / 3)


def test_reminder_figures_of_nothing_sent():
    found = reminder_figures([ReminderFacts(session_id=1, status="skipped", attendance=None)])
    assert found.delivered is None and found.confirmation is None and found.sessions == 0


def test_lesson_figures():
    deliveries = [LessonFacts(lesson_id=lesson, helpful=helpful) for lesson, helpful in (
        ("halt", None), ("iop", True), ("cravings", False), ("iop", True), ("iop", False))]
    found = lesson_figures(deliveries)
    assert found.rows == [LessonRow(lesson_id="cravings", delivered=1, helpful=0, not_helpful=1),
                          LessonRow(lesson_id="halt", delivered=1, helpful=0, not_helpful=0),
                          LessonRow(lesson_id="iop", delivered=3, helpful=2, not_helpful=1)]
    assert (found.delivered, found.helpful, found.not_helpful) == (5, 2, 2)
    assert found.helpful_share == 0.5
    empty = lesson_figures([])
    assert (empty.rows, empty.delivered, empty.helpful_share) == ([], 0, None)


def test_a_request_withdrawn_before_its_deadline_counts_neither_way():
    facts = request(hours=48)
    withdrawn = facts.model_copy(update={"actions": {
        "request_withdrawn": facts.referred_at + timedelta(hours=1)}})
    assert outcome(withdrawn, NOW) == "closed"
    late = facts.model_copy(update={"actions": {
        "request_withdrawn": facts.referred_at + timedelta(hours=50)}})
    assert outcome(late, NOW) == "missed"
