import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from bot.domain.calendar import BusinessCalendar
from bot.domain.intake import Answers, Incomplete, Pregnancy, Subject, YesNo
from bot.domain.priority import (
    Assessment,
    Deadline,
    DeadlineKind,
    PriorityPolicy,
    Tier,
    assess,
    half_time,
    queue_key,
    time_left,
)

CAL = BusinessCalendar(timezone="America/Chicago")
POLICY = PriorityPolicy()
CONTACT, SCHEDULED, ADMISSION = DeadlineKind

# Friday 2026-01-09 16:00 CST
REFERRED = datetime(2026, 1, 9, 22, tzinfo=UTC)
IN_48H = datetime(2026, 1, 11, 22, tzinfo=UTC)
IN_14D = datetime(2026, 1, 23, 22, tzinfo=UTC)
IN_3BD = datetime(2026, 1, 14, 22, tzinfo=UTC)  # Wednesday 16:00 CST

# (pregnant, injecting, discharged) -> tier, label, deadlines earliest first
EXPECTED = {
    (True, True, True): (1, "pregnant_injecting", [(SCHEDULED, IN_48H), (ADMISSION, IN_14D)]),
    (True, True, False): (1, "pregnant_injecting", [(SCHEDULED, IN_48H), (ADMISSION, IN_14D)]),
    (True, False, True): (2, "pregnant", [(SCHEDULED, IN_48H)]),
    (True, False, False): (2, "pregnant", [(SCHEDULED, IN_48H)]),
    (False, True, True): (3, "injecting", [(CONTACT, IN_48H), (ADMISSION, IN_14D)]),
    (False, True, False): (3, "injecting", [(CONTACT, IN_48H), (ADMISSION, IN_14D)]),
    (False, False, True): (4, "discharged", [(CONTACT, IN_48H)]),
    (False, False, False): (5, "standard", [(CONTACT, IN_3BD)]),
}

COMBOS = list(itertools.product(YesNo, Pregnancy, YesNo, Subject))


def answers(
    injection: YesNo | None = YesNo.NO,
    pregnancy: Pregnancy | None = Pregnancy.NO,
    discharge: YesNo | None = YesNo.NO,
    subject: Subject = Subject.SELF,
) -> Answers:
    return Answers(subject=subject, injection=injection, pregnancy=pregnancy, discharge=discharge)


def test_all_combinations_are_covered() -> None:
    assert len(COMBOS) == 3 * 4 * 3 * 2


@pytest.mark.parametrize(("injection", "pregnancy", "discharge", "subject"), COMBOS)
def test_every_combination(
    injection: YesNo, pregnancy: Pregnancy, discharge: YesNo, subject: Subject
) -> None:
    result = assess(answers(injection, pregnancy, discharge, subject), REFERRED, POLICY, CAL)
    facts = (pregnancy == "yes", injection == "yes", discharge == "yes")
    tier, label, deadlines = EXPECTED[facts]
    assert result.tier == tier
    assert result.label == label
    assert [(d.kind, d.due_at) for d in result.deadlines] == deadlines
    assert (result.primary.kind, result.primary.due_at) == deadlines[0]
    withheld = {
        name for name, value in
        (("injection", injection), ("pregnancy", pregnancy), ("discharge", discharge))
        if value == "prefer_not"
    }
    assert result.undisclosed == withheld


@pytest.mark.parametrize(
    ("fields", "tier"),
    [
        ({"pregnancy": Pregnancy.PREFER_NOT}, Tier.STANDARD),
        ({"pregnancy": Pregnancy.NOT_APPLICABLE}, Tier.STANDARD),
        ({"pregnancy": Pregnancy.PREFER_NOT, "injection": YesNo.YES}, Tier.INJECTING),
        ({"injection": YesNo.PREFER_NOT, "pregnancy": Pregnancy.YES}, Tier.PREGNANT),
        ({"discharge": YesNo.PREFER_NOT}, Tier.STANDARD),
    ],
)
def test_prefer_not_is_not_assumed(fields: dict[str, str], tier: Tier) -> None:
    assert assess(answers(**fields), REFERRED, POLICY, CAL).tier is tier


def test_undisclosed_lists_every_withheld_fact() -> None:
    withheld = answers(YesNo.PREFER_NOT, Pregnancy.PREFER_NOT, YesNo.PREFER_NOT)
    result = assess(withheld, REFERRED, POLICY, CAL)
    assert result.undisclosed == {"injection", "pregnancy", "discharge"}
    assert result.tier is Tier.STANDARD


def test_not_applicable_is_not_undisclosed() -> None:
    result = assess(answers(pregnancy=Pregnancy.NOT_APPLICABLE), REFERRED, POLICY, CAL)
    assert result.undisclosed == frozenset()


@pytest.mark.parametrize(
    ("fields", "missing"),
    [
        ({"injection": None}, ("injection",)),
        ({"pregnancy": None}, ("pregnancy",)),
        ({"discharge": None}, ("discharge",)),
        ({"injection": None, "discharge": None}, ("injection", "discharge")),
    ],
)
def test_unanswered_priority_questions_are_refused(
    fields: dict[str, None], missing: tuple[str, ...]
) -> None:
    with pytest.raises(Incomplete) as caught:
        assess(answers(**fields), REFERRED, POLICY, CAL)
    assert caught.value.fields == missing


def test_tier_labels() -> None:
    assert [(int(t), t.name.lower()) for t in Tier] == [
        (1, "pregnant_injecting"),
        (2, "pregnant"),
        (3, "injecting"),
        (4, "discharged"),
        (5, "standard"),
    ]


def test_standard_referral_on_saturday_is_due_end_of_wednesday() -> None:
    saturday = datetime(2026, 1, 10, 16, tzinfo=UTC)  # 10:00 CST
    result = assess(answers(), saturday, POLICY, CAL)
    assert result.primary.due_at == datetime(2026, 1, 15, 6, tzinfo=UTC)  # Thu 00:00 CST


def test_hour_deadlines_are_elapsed_time_across_dst() -> None:
    # Fri 2026-03-06 16:00 CST; spring forward on Sunday.
    referred = datetime(2026, 3, 6, 22, tzinfo=UTC)
    injecting = assess(answers(injection=YesNo.YES), referred, POLICY, CAL)
    assert [d.due_at for d in injecting.deadlines] == [
        datetime(2026, 3, 8, 22, tzinfo=UTC),
        datetime(2026, 3, 20, 22, tzinfo=UTC),
    ]
    standard = assess(answers(), referred, POLICY, CAL)
    assert standard.primary.due_at == datetime(2026, 3, 11, 21, tzinfo=UTC)  # Wed 16:00 CDT


def test_referral_time_in_any_zone_gives_utc_deadlines() -> None:
    local = REFERRED.astimezone(ZoneInfo("America/Chicago"))
    result = assess(answers(pregnancy=Pregnancy.YES), local, POLICY, CAL)
    assert result.primary.due_at == IN_48H
    assert result.primary.due_at.tzinfo is UTC


def test_naive_referral_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        assess(answers(), datetime(2026, 1, 9, 16), POLICY, CAL)


def test_policy_from_clinic_profile() -> None:
    policy = PriorityPolicy.model_validate(
        {"pregnant_scheduled_hours": 24, "standard_contact_business_days": 2}
    )
    assert assess(answers(pregnancy=Pregnancy.YES), REFERRED, policy, CAL).primary.due_at == (
        REFERRED + timedelta(hours=24)
    )
    assert assess(answers(), REFERRED, policy, CAL).primary.due_at == datetime(
        2026, 1, 13, 22, tzinfo=UTC
    )


def test_policy_defaults() -> None:
    assert POLICY.model_dump() == {
        "pregnant_scheduled_hours": 48,
        "injecting_contact_hours": 48,
        "injecting_admission_days": 14,
        "discharged_contact_hours": 48,
        "discharge_window_days": 30,
        "standard_contact_business_days": 3,
    }


@pytest.mark.parametrize(
    "fields",
    [
        {"pregnant_scheduled_hours": 0},
        {"injecting_admission_days": -1},
        {"standard_contact_business_days": "soon"},
        {"pregnant_deadline_hours": 48},
    ],
)
def test_invalid_policies(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        PriorityPolicy.model_validate(fields)


def test_contact_deadline_kept_when_it_comes_before_scheduling() -> None:
    policy = PriorityPolicy(pregnant_scheduled_hours=72)
    result = assess(answers(YesNo.YES, Pregnancy.YES), REFERRED, policy, CAL)
    assert [(d.kind, d.due_at) for d in result.deadlines] == [
        (CONTACT, IN_48H),
        (SCHEDULED, REFERRED + timedelta(hours=72)),
        (ADMISSION, IN_14D),
    ]


@pytest.mark.parametrize(
    "policy",
    [
        PriorityPolicy(discharged_contact_hours=24),
        PriorityPolicy(injecting_contact_hours=24),
    ],
)
def test_earliest_contact_rule_wins(policy: PriorityPolicy) -> None:
    result = assess(answers(YesNo.YES, discharge=YesNo.YES), REFERRED, policy, CAL)
    assert [(d.kind, d.due_at) for d in result.deadlines] == [
        (CONTACT, REFERRED + timedelta(hours=24)),
        (ADMISSION, IN_14D),
    ]


def test_half_time() -> None:
    assert half_time(REFERRED, IN_48H) == REFERRED + timedelta(hours=24)
    assert half_time(REFERRED, IN_3BD) == datetime(2026, 1, 12, 10, tzinfo=UTC)
    assert half_time(REFERRED, REFERRED) == REFERRED


def test_half_time_is_utc() -> None:
    local = REFERRED.astimezone(ZoneInfo("America/Chicago"))
    assert half_time(local, IN_48H).tzinfo is UTC


@pytest.mark.parametrize(
    ("now", "left"),
    [
        (REFERRED, timedelta(hours=48)),
        (IN_48H - timedelta(minutes=5), timedelta(minutes=5)),
        (IN_48H, timedelta(0)),
        (IN_48H + timedelta(hours=2), timedelta(hours=-2)),
    ],
)
def test_time_left(now: datetime, left: timedelta) -> None:
    assert time_left(now, IN_48H) == left


def test_time_helpers_refuse_naive_datetimes() -> None:
    with pytest.raises(ValueError):
        time_left(datetime(2026, 1, 9), IN_48H)
    with pytest.raises(ValueError):
        half_time(datetime(2026, 1, 9), IN_48H)


def test_queue_order_is_tier_then_earliest_deadline() -> None:
    later = REFERRED + timedelta(hours=6)
    standard_early = assess(answers(), REFERRED, POLICY, CAL)
    injecting_late = assess(answers(injection=YesNo.YES), later, POLICY, CAL)
    injecting_early = assess(answers(injection=YesNo.YES), REFERRED, POLICY, CAL)
    pregnant_late = assess(answers(pregnancy=Pregnancy.YES), later, POLICY, CAL)
    queue = sorted([standard_early, injecting_late, pregnant_late, injecting_early], key=queue_key)
    assert queue == [pregnant_late, injecting_early, injecting_late, standard_early]
    assert queue_key(injecting_early) == (3, IN_48H)


def test_assessment_round_trips_with_label() -> None:
    result = assess(answers(YesNo.YES, Pregnancy.YES, YesNo.PREFER_NOT), REFERRED, POLICY, CAL)
    data = result.model_dump(mode="json")
    assert data["label"] == "pregnant_injecting"
    assert data["tier"] == 1
    assert data["undisclosed"] == ["discharge"]
    assert data["deadlines"][0] == {"kind": "scheduled", "due_at": "2026-01-11T22:00:00Z"}
    assert Assessment.model_validate(data) == result


def test_deadline_is_stored_in_utc() -> None:
    local = IN_48H.astimezone(ZoneInfo("America/Chicago"))
    assert Deadline(kind=CONTACT, due_at=local).due_at.tzinfo is UTC
    with pytest.raises(ValidationError):
        Deadline(kind=CONTACT, due_at=datetime(2026, 1, 9, 16))


def test_assessment_needs_a_deadline() -> None:
    with pytest.raises(ValidationError):
        Assessment(tier=Tier.STANDARD, deadlines=())


def test_escalation_due_half_time_then_breach_each_once():
    from datetime import UTC, datetime, timedelta

    from bot.domain.priority import escalation_due
    start = datetime(2026, 11, 26, 16, 0, tzinfo=UTC)
    due = start + timedelta(days=14)
    assert escalation_due(start, due, start + timedelta(days=6), frozenset()) is None
    assert escalation_due(start, due, start + timedelta(days=7), frozenset()) == "half_time"
    assert escalation_due(start, due, start + timedelta(days=8),
                          frozenset({"half_time"})) is None
    assert escalation_due(start, due, due, frozenset({"half_time"})) == "breach"
    assert escalation_due(start, due, due, frozenset()) == "breach"
    assert escalation_due(start, due, due, frozenset({"breach"})) is None
