"""Who the program can serve, judged from the intake answers."""

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.domain.intake import Answers, Incomplete, Step, Subject


class EligibilityPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min_age: int = Field(18, ge=0, le=120)
    service_area: list[str] = Field(min_length=1)

    @field_validator("service_area")
    @classmethod
    def _state_codes(cls, value: list[str]) -> list[str]:
        codes = [code.strip().upper() for code in value]
        for code in codes:
            if not re.fullmatch(r"[A-Z]{2}", code):
                raise ValueError(f"{code!r} is not a two-letter state code")
        return codes


class Outcome(StrEnum):
    ELIGIBLE = "eligible"
    UNDER_AGE = "under_age"
    OUT_OF_AREA = "out_of_area"


class Eligibility(BaseModel):
    """`outcome` is about the future client; `family_services` is about the person typing.

    Someone reaching out for a loved one is a family member, and the program serves family
    members whatever the loved one's outcome, so the flag depends only on the path taken.
    The family member's own age and state are not asked: staff confirm them at first contact.
    """

    model_config = ConfigDict(frozen=True)

    outcome: Outcome
    family_services: bool


def decide(answers: Answers, policy: EligibilityPolicy) -> Eligibility:
    """Judge the client (the person typing, or their loved one) on age, then area.

    Under-age wins over out-of-area: no adult program fits a minor wherever they live, and
    the under-age reply already carries youth resources and 24-hour contacts. Raises
    `Incomplete` until subject, age and state are answered: age is never assumed.
    """
    missing = [s for s in (Step.SUBJECT, Step.AGE, Step.STATE) if getattr(answers, s) is None]
    if missing or answers.age is None:
        raise Incomplete(missing)
    return Eligibility(outcome=ruled_out(answers, policy) or Outcome.ELIGIBLE,
                       family_services=answers.subject is Subject.LOVED_ONE)


def ruled_out(answers: Answers, policy: EligibilityPolicy) -> Outcome | None:
    """The outcome as soon as the age or the state given rules the client out, so nothing
    more is asked; None while they may still fit."""
    if answers.age is not None and answers.age < policy.min_age:
        return Outcome.UNDER_AGE
    if answers.state is not None and answers.state not in policy.service_area:
        return Outcome.OUT_OF_AREA
    return None
