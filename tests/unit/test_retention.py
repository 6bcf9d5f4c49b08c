"""The pure part of the retention purge: what is due, given now and the profile."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from bot.config import EXAMPLE_PROFILE, ConfigError
from bot.domain.retention import Cutoffs, RetentionPolicy, due
from bot.profile import load_profile
from tests.unit.test_config import example_with

NOW = datetime(2026, 11, 26, 16, 0, tzinfo=UTC)
FIELDS = {"closed_request_days": "closed_requests", "safety_event_days": "safety_events",
          "revoked_consent_days": "revoked_consents"}


def test_defaults_are_the_documented_ones():
    policy = RetentionPolicy()
    assert (policy.closed_request_days, policy.safety_event_days,
            policy.revoked_consent_days) == (365, 365, 30)
    assert policy.purge_at == time(3, 30)


def test_each_cutoff_is_its_own_days_before_now():
    policy = RetentionPolicy(closed_request_days=10, safety_event_days=20,
                             revoked_consent_days=30)
    assert due(NOW, policy) == Cutoffs(closed_requests=NOW - timedelta(days=10),
                                       safety_events=NOW - timedelta(days=20),
                                       revoked_consents=NOW - timedelta(days=30))


@pytest.mark.parametrize(("setting", "cutoff"), FIELDS.items())
@pytest.mark.parametrize("days", [1, 2, 29, 30, 31, 365, 366, 3650])
def test_a_record_is_due_from_exactly_its_days_old(setting, cutoff, days):
    """A record closed at the cutoff or before is due; one a second younger is not."""
    found = getattr(due(NOW, RetentionPolicy(**{setting: days})), cutoff)
    assert found == NOW - timedelta(days=days)
    closed_at = NOW - timedelta(days=days)
    assert closed_at <= found
    assert not closed_at + timedelta(seconds=1) <= found


@pytest.mark.parametrize(("setting", "cutoff"), FIELDS.items())
def test_one_setting_moves_only_its_own_cutoff(setting, cutoff):
    base, changed = due(NOW, RetentionPolicy()), due(NOW, RetentionPolicy(**{setting: 7}))
    for name in FIELDS.values():
        assert (getattr(base, name) == getattr(changed, name)) == (name != cutoff)


def test_cutoffs_are_utc_whatever_zone_now_is_given_in():
    local = NOW.astimezone(ZoneInfo("America/Chicago"))
    cutoffs = due(local, RetentionPolicy())
    assert cutoffs == due(NOW, RetentionPolicy())
    assert {c.tzinfo for c in (cutoffs.closed_requests, cutoffs.safety_events,
                               cutoffs.revoked_consents)} == {UTC}


def test_days_are_24_hours_across_a_clock_change():
    """The purge counts elapsed time: a day is 24 hours even over the end of DST."""
    after = datetime(2026, 11, 2, 12, 0, tzinfo=ZoneInfo("America/Chicago"))
    cutoffs = due(after, RetentionPolicy(closed_request_days=2))
    assert after.astimezone(UTC) - cutoffs.closed_requests == timedelta(hours=48)


def test_a_naive_now_is_refused():
    with pytest.raises(ValueError, match="timezone"):
        due(NOW.replace(tzinfo=None), RetentionPolicy())


def test_moving_now_moves_every_cutoff_with_it():
    later = NOW + timedelta(days=3, hours=5)
    a, b = due(NOW, RetentionPolicy()), due(later, RetentionPolicy())
    for name in FIELDS.values():
        assert getattr(b, name) - getattr(a, name) == timedelta(days=3, hours=5)


@pytest.mark.parametrize("setting", FIELDS)
@pytest.mark.parametrize("days", [0, -1, 3651, 1.5, "soon"])
def test_bad_days_are_refused(setting, days):
    with pytest.raises(ValidationError):
        RetentionPolicy(**{setting: days})


def test_unknown_settings_are_refused():
    with pytest.raises(ValidationError):
        RetentionPolicy(declined_consent_days=1)


def test_the_example_profile_documents_every_setting(profile):
    assert profile.retention == RetentionPolicy()
    text = EXAMPLE_PROFILE.read_text()
    for name in RetentionPolicy.model_fields:
        assert f"\n{name} = " in text


@pytest.mark.parametrize(("old", "new", "expect"), [
    ("closed_request_days = 365", "closed_request_days = 0", "retention.closed_request_days"),
    ("purge_at = 03:30:00", 'purge_at = "late"', "retention.purge_at"),
    ("revoked_consent_days = 30", "revoked_days = 30", "retention.revoked_days"),
])
def test_a_bad_retention_section_gives_one_line(tmp_path, old, new, expect):
    with pytest.raises(ConfigError, match=expect):
        load_profile(example_with(old, new, tmp_path))


def test_a_profile_without_the_section_gets_the_defaults(tmp_path):
    start = "\n[retention]"
    path = example_with("", "", tmp_path)
    text = path.read_text()
    path.write_text(text[:text.index(start)])
    assert load_profile(path).retention == RetentionPolicy()
