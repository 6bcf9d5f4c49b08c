"""Priority tiers and response deadlines for a new referral.

Tiers follow the federal admission order of 45 CFR 96.131 (pregnant women who inject, other
pregnant women, people who inject), then the clinic's own priority for people just discharged
from detox or inpatient care, then everyone else.

"Prefer not to say" counts as not having the fact: we never assume something a person chose
not to tell us. The withheld facts are listed in `undisclosed` so staff can ask in person and
re-tier.

Hour and day deadlines are elapsed time, counted in UTC: they are promises about how long
someone waits, nights and weekends included, and elapsed time stays exact across DST changes.
Only the standard deadline is counted in business days.
"""

from datetime import datetime, timedelta
from enum import IntEnum, StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PositiveInt,
    computed_field,
)

from bot.domain.calendar import BusinessCalendar, add_business_days, as_utc
from bot.domain.intake import Answers, Incomplete, Pregnancy, Step, YesNo

FACTS = (Step.INJECTION, Step.PREGNANCY, Step.DISCHARGE)


class PriorityPolicy(BaseModel):
    """Deadline rules; the defaults are the clinic's promises and 45 CFR 96.126.

    `discharge_window_days` is the N in the intake question "discharged in the last N days";
    the answer already reflects it.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    pregnant_scheduled_hours: PositiveInt = 48
    injecting_contact_hours: PositiveInt = 48
    injecting_admission_days: PositiveInt = 14
    discharged_contact_hours: PositiveInt = 48
    discharge_window_days: PositiveInt = 30
    standard_contact_business_days: PositiveInt = 3


class Tier(IntEnum):
    PREGNANT_INJECTING = 1
    PREGNANT = 2
    INJECTING = 3
    DISCHARGED = 4
    STANDARD = 5


class DeadlineKind(StrEnum):
    CONTACT = "contact"
    SCHEDULED = "scheduled"
    ADMISSION = "admission"


UTCDatetime = Annotated[AwareDatetime, AfterValidator(as_utc)]


class Deadline(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: DeadlineKind
    due_at: UTCDatetime


class Assessment(BaseModel):
    model_config = ConfigDict(frozen=True)

    tier: Tier
    deadlines: tuple[Deadline, ...] = Field(min_length=1)
    undisclosed: frozenset[Step] = frozenset()

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented form
    @property
    def label(self) -> str:
        return self.tier.name.lower()

    @property
    def primary(self) -> Deadline:
        """The earliest deadline: what staff alerts and the watcher track."""
        return min(self.deadlines, key=lambda d: d.due_at)


def _tier(facts: set[Step]) -> Tier:
    if Step.PREGNANCY in facts:
        return Tier.PREGNANT_INJECTING if Step.INJECTION in facts else Tier.PREGNANT
    if Step.INJECTION in facts:
        return Tier.INJECTING
    return Tier.DISCHARGED if Step.DISCHARGE in facts else Tier.STANDARD


def _deadlines(
    facts: set[Step], referred_at: datetime, policy: PriorityPolicy, cal: BusinessCalendar
) -> list[Deadline]:
    """Every rule that applies, earliest per kind.

    Scheduling someone means reaching them, so a contact deadline is dropped when a
    scheduling deadline falls no later than it.
    """
    due: dict[DeadlineKind, datetime] = {}

    def add(kind: DeadlineKind, at: datetime) -> None:
        due[kind] = min(at, due.get(kind, at))

    def hours(n: int) -> datetime:
        return referred_at + timedelta(hours=n)

    if Step.PREGNANCY in facts:
        add(DeadlineKind.SCHEDULED, hours(policy.pregnant_scheduled_hours))
    if Step.INJECTION in facts:
        add(DeadlineKind.CONTACT, hours(policy.injecting_contact_hours))
        add(DeadlineKind.ADMISSION, referred_at + timedelta(days=policy.injecting_admission_days))
    if Step.DISCHARGE in facts:
        add(DeadlineKind.CONTACT, hours(policy.discharged_contact_hours))
    if not due:
        add(DeadlineKind.CONTACT,
            add_business_days(referred_at, policy.standard_contact_business_days, cal))
    scheduled = due.get(DeadlineKind.SCHEDULED)
    if scheduled is not None and scheduled <= due.get(DeadlineKind.CONTACT, scheduled):
        due.pop(DeadlineKind.CONTACT, None)
    deadlines = [Deadline(kind=kind, due_at=at) for kind, at in due.items()]
    return sorted(deadlines, key=lambda d: d.due_at)


def assess(
    answers: Answers,
    referred_at: datetime,
    policy: PriorityPolicy,
    cal: BusinessCalendar,
) -> Assessment:
    """Tier and deadlines; raises `Incomplete` until all three priority questions are answered.

    The facts describe the future client on both the self and the loved-one path.
    """
    missing = [fact for fact in FACTS if getattr(answers, fact) is None]
    if missing:
        raise Incomplete(missing)
    said = {fact: getattr(answers, fact) for fact in FACTS}
    facts = {fact for fact, value in said.items() if value in (YesNo.YES, Pregnancy.YES)}
    withheld = {YesNo.PREFER_NOT, Pregnancy.PREFER_NOT}
    return Assessment(
        tier=_tier(facts),
        deadlines=_deadlines(facts, as_utc(referred_at), policy, cal),
        undisclosed=frozenset(fact for fact, value in said.items() if value in withheld),
    )


def half_time(referred_at: datetime, due_at: datetime) -> datetime:
    """Halfway from referral to deadline: when the watcher alerts staff a second time."""
    start = as_utc(referred_at)
    return start + (as_utc(due_at) - start) / 2


Step_ = Literal["half_time", "breach"]


def escalation_due(referred_at: datetime, due_at: datetime, now: datetime,
                   done: frozenset[str]) -> Step_ | None:
    """The escalation a deadline needs now, given those already `done`: "breach" once it has
    passed, else "half_time" once half the time is gone; each once, and never a re-alert
    after the page."""
    if "breach" in done:
        return None
    if as_utc(now) >= as_utc(due_at):
        return "breach"
    if "half_time" not in done and as_utc(now) >= half_time(referred_at, due_at):
        return "half_time"
    return None


def time_left(now: datetime, due_at: datetime) -> timedelta:
    """Negative once the deadline has passed."""
    return as_utc(due_at) - as_utc(now)


def queue_key(assessment: Assessment) -> tuple[int, datetime]:
    """Staff queue order: tier first, then the earliest deadline."""
    return assessment.tier, assessment.primary.due_at
