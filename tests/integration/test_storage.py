from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.domain.intake import Step
from bot.domain.stats import Period
from bot.storage import open_repo
from bot.storage.base import ts
from bot.storage.db import MigrationChanged, checksum, connect, migrate, migrations
from tests.samples import vault


async def test_migrations_are_numbered_and_idempotent(tmp_path):
    path = tmp_path / "nested" / "iop.db"
    conn = await connect(path)
    latest = max(version for version, _, _ in migrations())
    assert await migrate(conn) == latest
    assert await migrate(conn) == latest
    rows = await conn.execute_fetchall("SELECT version, name FROM schema_migrations")
    assert [row[0] for row in rows] == sorted(v for v, _, _ in migrations())
    mode = await conn.execute_fetchall("PRAGMA journal_mode")
    assert mode[0][0] == "wal"
    await conn.close()
    assert path.exists()


@pytest.fixture
async def repo(tmp_path):
    repo = await open_repo(tmp_path / "iop.db", ManualClock(), vault())
    yield repo
    await repo.close()


async def test_consent_and_forget(repo):
    assert await repo.people.get(7) is None
    await repo.people.consent(7, "2026-11", "es")
    person = await repo.people.get(7)
    assert (person.consent_version, person.language) == ("2026-11", "es")
    await repo.people.forget(7)
    assert await repo.people.get(7) is None


async def test_unreachable_is_reported_once(repo):
    await repo.people.consent(7, "v", None)
    assert await repo.people.mark_unreachable(7) is True
    assert await repo.people.mark_unreachable(7) is False
    assert (await repo.people.get(7)).unreachable


async def test_audit_records_in_order(repo):
    await repo.audit.record(1, "claim", "request:5")
    await repo.audit.record(2, "contacted", "request:5", "by phone")
    entries = await repo.audit.for_subject("request:5")
    assert [(e.actor_id, e.action) for e in entries] == [(1, "claim"), (2, "contacted")]


async def test_failed_transaction_rolls_back(repo):
    with pytest.raises(RuntimeError):
        async with repo.store.tx() as db:
            await db.execute("INSERT INTO audit_log (at, action, subject) VALUES ('t', 'a', 's')")
            raise RuntimeError("boom")
    assert await repo.audit.for_subject("s") == []


async def test_a_changed_migration_stops_start_up(tmp_path, monkeypatch):
    conn = await connect(tmp_path / "iop.db")
    await migrate(conn)
    edited = [(v, n, sql + "\n-- edited") if v == 2 else (v, n, sql) for v, n, sql in migrations()]
    monkeypatch.setattr("bot.storage.db.migrations", lambda: edited)
    with pytest.raises(MigrationChanged, match="DATABASE_PATH: migration 002_intake changed"):
        await migrate(conn)
    await conn.close()


async def test_stats_take_a_request_s_own_audit_rows_within_the_period(repo):
    """Audit rows before a request was sent belong to an earlier, deleted request that had
    the same number; rows at the period's end belong to the next one."""
    start, hour = datetime(2026, 11, 1, 5, tzinfo=UTC), timedelta(hours=1)
    period = Period(name="2026-11", start=start, end=start + 24 * hour)
    await repo.people.consent(7, "v", None)
    for number, sent in ((1, start), (2, start + 3 * hour), (3, period.end), (4, start - hour)):
        await repo.store.conn.execute(
            "INSERT INTO requests (id, user_id, status, tier, referred_at, due_at, due_kind,"
            " created_at, updated_at) VALUES (?, 7, 'admitted', 2, ?, ?, 'scheduled', ?, ?)",
            (number, ts(sent), ts(sent + 48 * hour), ts(sent), ts(sent)))
    await repo.store.conn.commit()
    for at, action in ((-hour, "staff_claim"), (0 * hour, "intake_sent"),
                       (hour / 2, "staff_claim"), (hour, "staff_claim"),
                       (2 * hour, "staff_scheduled")):
        repo.store.clock.set(start + at)
        await repo.audit.record(501, action, "request:1")
    found = await repo.stats.requests(period)
    assert [(f.tier, f.referred_at) for f in found] == [(2, start), (2, start + 3 * hour)]
    assert found[0].actions == {"staff_claim": start + hour / 2,
                                "staff_scheduled": start + 2 * hour}
    assert found[1].actions == {}


async def test_numbers_are_never_reused_after_a_deletion(repo):
    """The audit trail of a deleted request must not show up under a new one."""
    await repo.people.consent(7, "v", "en")
    first = await repo.requests.start(7, "en", None, Step.NAME)
    await repo.requests.delete(first.id)
    second = await repo.requests.start(7, "en", None, Step.NAME)
    assert second.id == first.id + 1
    event = await repo.safety.record(7, "suicide", "crisis", None, "en", timedelta(hours=1),
                                     timedelta(minutes=5))
    await repo.store.conn.execute("DELETE FROM safety_events")
    again = await repo.safety.record(7, "suicide", "crisis", None, "en", timedelta(hours=1),
                                     timedelta(minutes=5))
    assert again.id > event.id


async def test_the_high_water_mark_starts_above_numbers_only_the_audit_log_remembers(tmp_path):
    conn = await connect(tmp_path / "iop.db")
    await conn.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY,"
                       " name TEXT NOT NULL, applied_at TEXT NOT NULL, checksum TEXT NOT NULL)")
    await conn.executescript("".join(
        f"BEGIN;\n{sql}\n;INSERT INTO schema_migrations VALUES ({version}, '{name}', 'x', "
        f"'{checksum(sql)}');\nCOMMIT;" for version, name, sql in migrations() if version < 11))
    for subject in ("request:41", "safety:9"):
        await conn.execute("INSERT INTO audit_log (at, action, subject) VALUES ('x', 'a', ?)",
                           (subject,))
    await conn.close()
    repo = await open_repo(tmp_path / "iop.db", ManualClock(), vault())
    await repo.people.consent(7, "v", "en")
    assert (await repo.requests.start(7, "en", None, Step.NAME)).id == 42
    assert (await repo.safety.record(7, "suicide", "crisis", None, "en", timedelta(hours=1),
                                     timedelta(minutes=5))).id == 10
    await repo.close()
