"""The purge's SQL against a real database: what goes, what stays, and the counts."""

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.domain.intake import Step
from bot.domain.retention import RetentionPolicy, due
from bot.storage import open_repo
from bot.storage.retention import Purged
from tests.samples import vault

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
POLICY = RetentionPolicy(closed_request_days=30, safety_event_days=60, revoked_consent_days=10)


@pytest.fixture
def clock():
    return ManualClock(T0)


@pytest.fixture
async def repo(tmp_path, clock):
    repo = await open_repo(tmp_path / "iop.db", clock, vault())
    yield repo
    await repo.close()


async def request(repo, user_id: int, status: str) -> int:
    await repo.people.consent(user_id, "v", None)
    made = await repo.requests.start(user_id, None, None, Step.SUBJECT)
    async with repo.store.tx() as db:
        await db.execute("UPDATE requests SET status = ?, step = NULL WHERE id = ?",
                         (status, made.id))
    return made.id


async def event(repo, user_id: int) -> int:
    made = await repo.safety.record(user_id, "suicide", "crisis", None, "en", None,
                                    timedelta(minutes=5))
    return made.id


async def letter(repo, event_id: int, status: str) -> None:
    async with repo.store.tx() as db:
        await db.execute("INSERT INTO outbox (key, kind, chat_id, event_id, status, created_at)"
                         " VALUES (?, 'reply', 1, ?, ?, ?)",
                         (f"k{event_id}{status}", event_id, status, repo.store.now()))


async def ids(repo, table: str, column: str = "id") -> set[int]:
    return {row[0] for row in await repo.store.all(f"SELECT {column} FROM {table}")}


async def purge(repo, clock) -> Purged:
    return await repo.retention.purge(due(clock.now(), POLICY))


async def test_closed_requests_go_after_their_days_and_live_ones_never(repo, clock):
    unfit = await request(repo, 1, "not_a_fit")
    withdrawn = await request(repo, 2, "withdrawn")
    abandoned = await request(repo, 3, "draft")  # never finished: it goes as closed ones do
    live = {await request(repo, 4 + n, status) for n, status in enumerate(
        ("open", "claimed", "contacted", "scheduled", "admitted"))}
    linked = await request(repo, 20, "not_a_fit")
    await repo.clients.enroll("Maya", linked, None, 501)
    async with repo.store.tx() as db:
        await db.execute("INSERT INTO escalations (request_id, kind, at) VALUES (?, 'breach', ?)",
                         (unfit, repo.store.now()))
    clock.advance(timedelta(days=30, seconds=-1))
    assert await purge(repo, clock) == Purged()
    clock.advance(timedelta(seconds=1))
    assert await purge(repo, clock) == Purged(requests=3)
    assert await ids(repo, "requests") == live | {linked}
    assert abandoned not in await ids(repo, "requests")
    assert await ids(repo, "escalations", "request_id") == set()
    assert unfit not in await ids(repo, "requests") and withdrawn not in await ids(repo, "requests")
    assert await repo.people.get(1) is not None  # a consent that was never revoked stays


async def test_the_alerts_of_the_requests_it_deletes_are_returned_to_be_cleared(repo, clock):
    unfit, live = await request(repo, 1, "not_a_fit"), await request(repo, 2, "open")
    for made in (unfit, live):
        await repo.requests.set_alert(made, -100, made * 10)
        await repo.requests.add_copy(made, 501, made * 10 + 1)
    clock.advance(timedelta(days=30))
    purged = await purge(repo, clock)
    assert purged.alerts == {unfit: [(-100, unfit * 10), (501, unfit * 10 + 1)]}
    assert purged.detail() == "requests=1 safety_events=0 letters=0 people=0"
    assert await ids(repo, "alert_copies", "request_id") == {live}

async def test_a_staff_update_restarts_the_clock(repo, clock):
    closed = await request(repo, 1, "not_a_fit")
    clock.advance(timedelta(days=20))
    async with repo.store.tx() as db:
        await db.execute("UPDATE requests SET updated_at = ? WHERE id = ?",
                         (repo.store.now(), closed))
    clock.advance(timedelta(days=20))
    assert (await purge(repo, clock)).requests == 0
    clock.advance(timedelta(days=10))
    assert (await purge(repo, clock)).requests == 1


async def test_safety_events_of_people_who_never_became_clients(repo, clock):
    stranger = await event(repo, 100)
    done = await event(repo, 101)
    await letter(repo, done, "sent")
    pending = await event(repo, 102)
    await letter(repo, pending, "pending")
    disclosed = await event(repo, 103)
    await repo.safety.disclose(103, disclosed, "EMS", "address", clock.now(), 501, "Dana")
    in_intake = await event(repo, 104)
    await request(repo, 104, "open")
    client = await repo.clients.enroll("Maya", None, None, 501)
    await repo.clients.invite(client.id, "tok", T0 + timedelta(days=1))
    await repo.clients.redeem("tok", 105)
    bound = await event(repo, 105)
    former = await repo.clients.enroll("Ana", None, None, 501)
    await repo.clients.invite(former.id, "tok2", T0 + timedelta(days=1))
    await repo.clients.redeem("tok2", 106)
    await repo.clients.unbind(former.id)  # /delete: the invite still shows they were a client
    unbound = await event(repo, 106)
    refused = await event(repo, 107)
    await request(repo, 107, "not_a_fit")
    clock.advance(timedelta(days=60, seconds=-1))
    assert (await purge(repo, clock)).safety_events == 0
    clock.advance(timedelta(seconds=1))
    purged = await purge(repo, clock)
    assert (purged.safety_events, purged.letters) == (3, 1)
    assert await ids(repo, "safety_events") == {pending, disclosed, in_intake, bound, unbound}
    assert stranger not in await ids(repo, "safety_events") and refused not in await ids(
        repo, "safety_events")
    assert await ids(repo, "outbox", "event_id") == {pending}
    assert len(await repo.safety.disclosures(103)) == 1


async def test_a_revoked_person_goes_once_no_request_is_left(repo, clock):
    await request(repo, 1, "withdrawn")
    await repo.people.revoke(1)
    await repo.people.consent(2, "v", None)
    await repo.people.revoke(2)
    await repo.people.consent(3, "v", None)
    await repo.people.revoke(3)
    client = await repo.clients.enroll("Maya", None, None, 501)
    await repo.clients.invite(client.id, "tok", T0 + timedelta(days=1))
    await repo.clients.redeem("tok", 3)
    await repo.people.consent(4, "v", None)
    await repo.people.revoke(4)
    await repo.people.consent(4, "v2", None)  # agreed again
    clock.advance(timedelta(days=10))
    assert await purge(repo, clock) == Purged(people=1)
    assert await ids(repo, "people", "user_id") == {1, 3, 4}
    clock.advance(timedelta(days=20))
    assert await purge(repo, clock) == Purged(requests=1, people=1)
    assert await ids(repo, "people", "user_id") == {3, 4}


async def test_the_purge_touches_no_audit_row(repo, clock):
    await repo.audit.record(1, "consent", "person:1", "v")
    await request(repo, 1, "not_a_fit")
    clock.advance(timedelta(days=400))
    assert (await purge(repo, clock)).requests == 1
    assert [e.action for e in await repo.audit.for_subject("person:1")] == ["consent"]


def test_counts_read_as_one_audit_detail():
    assert Purged(requests=2, people=1).detail() == \
        "requests=2 safety_events=0 letters=0 people=1"
