"""How long records of people who are not clients are kept, and what is due for purge."""

from datetime import UTC, datetime, time, timedelta

from pydantic import BaseModel, ConfigDict, Field


class RetentionPolicy(BaseModel):
    """Days are whole 24-hour spans from the moment a record closed; nothing is kept for
    less than a day or, through this setting, for more than ten years."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    closed_request_days: int = Field(365, ge=1, le=3650)
    safety_event_days: int = Field(365, ge=1, le=3650)
    revoked_consent_days: int = Field(30, ge=1, le=3650)
    purge_at: time = time(3, 30)


class Cutoffs(BaseModel):
    """A record that closed at or before its cutoff is due."""

    model_config = ConfigDict(frozen=True)

    closed_requests: datetime
    safety_events: datetime
    revoked_consents: datetime


def due(now: datetime, policy: RetentionPolicy) -> Cutoffs:
    if now.tzinfo is None:
        raise ValueError("now must carry its timezone")
    now = now.astimezone(UTC)
    return Cutoffs(closed_requests=now - timedelta(days=policy.closed_request_days),
                   safety_events=now - timedelta(days=policy.safety_event_days),
                   revoked_consents=now - timedelta(days=policy.revoked_consent_days))
