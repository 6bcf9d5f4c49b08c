from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.delivery import Outcome, Policy, Progress, Status, after, expired

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
POLICY = Policy(first_wait=0.5, max_wait=8, unknown_outcomes=2)


def run(outcomes, *, expires=None, retry_after=0.0):
    progress, waits = Progress(expires_at=expires), []
    for outcome in outcomes:
        step = after(progress, outcome, NOW, POLICY, retry_after)
        progress = step.progress
        waits.append(step.wait)
    return progress, waits


@pytest.mark.parametrize(("outcome", "status"), [
    (Outcome.SENT, Status.SENT), (Outcome.BLOCKED, Status.BLOCKED),
    (Outcome.REFUSED, Status.REFUSED)])
def test_final_outcomes_stop(outcome, status):
    progress, waits = run([outcome])
    assert (progress.status, progress.attempts, waits) == (status, 1, [None])


def test_failures_back_off_exponentially_up_to_the_cap():
    progress, waits = run([Outcome.FAILED] * 7)
    assert waits == [0.5, 1, 2, 4, 8, 8, 8]
    assert (progress.status, progress.failures) == (Status.PENDING, 7)


def test_flood_waits_retry_after_and_does_not_grow_the_backoff():
    _progress, waits = run([Outcome.FLOOD, Outcome.FLOOD, Outcome.FAILED], retry_after=5)
    assert waits == [5, 5, 0.5]


def test_flood_waits_at_least_the_first_wait():
    assert run([Outcome.FLOOD], retry_after=0)[1] == [0.5]


def test_one_resend_after_a_timeout_then_unsure():
    progress, waits = run([Outcome.TIMEOUT, Outcome.TIMEOUT])
    assert waits == [0.5, None]
    assert progress.status is Status.UNSURE


def test_pages_never_give_up_on_timeouts_but_back_off():
    progress, waits = Progress(), []
    for _ in range(6):
        step = after(progress, Outcome.TIMEOUT, NOW, Policy(unknown_outcomes=None))
        progress, waits = step.progress, [*waits, step.wait]
    assert progress.status is Status.PENDING and waits == [0.5, 1, 2, 4, 8, 8]


def test_a_letter_past_its_time_expires_before_the_next_attempt():
    progress = Progress(expires_at=NOW)
    assert expired(progress, NOW - timedelta(seconds=1)) is None
    assert expired(progress, NOW).status is Status.EXPIRED
    assert expired(Progress(), NOW) is None


def test_known_failures_between_timeouts_do_not_reset_the_count():
    progress, _ = run([Outcome.TIMEOUT, Outcome.FAILED, Outcome.FLOOD, Outcome.TIMEOUT])
    assert progress.status is Status.UNSURE
    assert progress.attempts == 4


def test_a_timeout_then_success_is_sent():
    progress, waits = run([Outcome.TIMEOUT, Outcome.SENT])
    assert (progress.status, waits) == (Status.SENT, [0.5, None])


def test_expires_when_the_next_wait_would_pass_the_deadline():
    expires = NOW + timedelta(seconds=3)
    progress, waits = run([Outcome.FAILED, Outcome.FAILED, Outcome.FAILED], expires=expires)
    assert waits == [0.5, 1, 2]
    progress, waits = run([Outcome.FAILED] * 4, expires=NOW + timedelta(seconds=3.9))
    assert waits[-1] is None and progress.status is Status.EXPIRED


def test_no_expiry_retries_for_ever():
    progress, waits = run([Outcome.FAILED] * 100)
    assert progress.status is Status.PENDING and waits[-1] == 8


def test_flood_past_the_deadline_expires():
    progress, _waits = run([Outcome.FLOOD], expires=NOW + timedelta(seconds=10), retry_after=20)
    assert progress.status is Status.EXPIRED


def test_done():
    assert not Status.PENDING.done
    assert all(status.done for status in Status if status is not Status.PENDING)
