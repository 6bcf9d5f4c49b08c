"""When to try a safety message again, and when to stop: the outbox's policy, kept pure.

Telegram gives no idempotency key. A send that timed out may have been delivered, so at most
two attempts may end with an unknown outcome: a person or a staff chat then holds at most one
duplicate, never three. Errors that prove nothing was delivered (500, 429, refused
connections) are retried with no such limit, until the letter expires.
"""

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, Field


class Outcome(StrEnum):
    SENT = "sent"
    BLOCKED = "blocked"
    REFUSED = "refused"
    FLOOD = "flood"
    TIMEOUT = "timeout"
    FAILED = "failed"


class Status(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    BLOCKED = "blocked"
    REFUSED = "refused"
    UNSURE = "unsure"
    EXPIRED = "expired"

    @property
    def done(self) -> bool:
        return self is not Status.PENDING


class Policy(BaseModel):
    first_wait: float = Field(0.5, gt=0)
    max_wait: float = Field(8.0, gt=0)
    unknown_outcomes: int | None = Field(2, ge=1)  # None: never give up (staff pages)


class Progress(BaseModel):
    status: Status = Status.PENDING
    attempts: int = 0
    failures: int = 0
    timeouts: int = 0
    expires_at: datetime | None = None


class Step(BaseModel):
    progress: Progress
    wait: float | None


FINAL = {Outcome.SENT: Status.SENT, Outcome.BLOCKED: Status.BLOCKED,
         Outcome.REFUSED: Status.REFUSED}


def after(progress: Progress, outcome: Outcome, now: datetime, policy: Policy,
          retry_after: float = 0.0) -> Step:
    """The progress after one attempt, and how long to wait before the next (None: stop)."""
    done = progress.model_copy(update={"attempts": progress.attempts + 1})
    if outcome in FINAL:
        done.status = FINAL[outcome]
        return Step(progress=done, wait=None)
    if outcome is Outcome.FLOOD:
        wait = max(retry_after, policy.first_wait)
    else:
        if outcome is Outcome.TIMEOUT:
            done.timeouts += 1
            if policy.unknown_outcomes and done.timeouts >= policy.unknown_outcomes:
                done.status = Status.UNSURE
                return Step(progress=done, wait=None)
        wait = min(policy.first_wait * 2 ** done.failures, policy.max_wait)
        done.failures += 1
    if done.expires_at is not None and now + timedelta(seconds=wait) > done.expires_at:
        done.status = Status.EXPIRED
        return Step(progress=done, wait=None)
    return Step(progress=done, wait=wait)


def expired(progress: Progress, now: datetime) -> Progress | None:
    """The progress of a letter whose time is up before its next attempt, or None."""
    if progress.expires_at is None or now < progress.expires_at:
        return None
    return progress.model_copy(update={"status": Status.EXPIRED})
