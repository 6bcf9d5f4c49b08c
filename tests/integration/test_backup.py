"""`iop-bot backup` while the bot writes, and the restore steps in docs/deploy.md."""

import asyncio
import shutil
import sqlite3
import stat
import subprocess
import sys
from contextlib import closing

import pytest

from bot.clock import ManualClock
from bot.ops import BackupError, backup
from bot.storage import open_repo
from bot.storage.db import migrations
from tests.e2e.harness import eventually
from tests.samples import vault


async def write_pairs(repo, written: list[int], stop: asyncio.Event) -> None:
    """A person and their request in one transaction, over and over, as the bot would."""
    while not stop.is_set():
        user_id = len(written) + 1
        async with repo.store.tx() as db:
            await db.execute("INSERT INTO people (user_id, consent_version, consent_at)"
                             " VALUES (?, 'v1', ?)", (user_id, repo.store.now()))
            await db.execute("INSERT INTO requests (user_id, status, created_at, updated_at)"
                             " VALUES (?, 'open', ?, ?)", (user_id, repo.store.now(),
                                                          repo.store.now()))
        written.append(user_id)
        await asyncio.sleep(0)


def counts(path) -> tuple[int, int, list]:
    with closing(sqlite3.connect(path)) as db:
        people = db.execute("SELECT COUNT(*) FROM people").fetchone()[0]
        requests = db.execute("SELECT COUNT(*) FROM requests").fetchone()[0]
        orphans = db.execute("PRAGMA foreign_key_check").fetchall()
    return people, requests, orphans


async def test_backup_while_writing_is_a_consistent_snapshot(tmp_path):
    live, copy = tmp_path / "live" / "iop.db", tmp_path / "backups" / "iop.db"
    repo = await open_repo(live, ManualClock(), vault())
    written: list[int] = []
    stop = asyncio.Event()
    writer = asyncio.create_task(write_pairs(repo, written, stop))
    await eventually(lambda: len(written) >= 200, within=20)
    before = len(written)
    version = await asyncio.to_thread(backup, live, copy)
    after = len(written)
    stop.set()
    await writer
    await repo.close()

    assert after > before, "the writer was not running during the backup"
    people, requests, orphans = counts(copy)
    assert before <= people <= len(written)
    assert people == requests
    assert orphans == []
    assert version == max(number for number, _, _ in migrations())
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert sorted(p.name for p in copy.parent.iterdir()) == ["iop.db"]
    with closing(sqlite3.connect(copy)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


async def test_restore_as_documented(tmp_path):
    live, copy = tmp_path / "iop.db", tmp_path / "backup.db"
    repo = await open_repo(live, ManualClock(), vault())
    await repo.people.consent(1, "v1", "en")
    backup(live, copy)
    await repo.people.consent(2, "v1", "en")
    # Stop the bot, replace the file, remove the stale -wal and -shm, start.
    await repo.close()
    shutil.copyfile(copy, live)
    for stale in (tmp_path / "iop.db-wal", tmp_path / "iop.db-shm"):
        stale.unlink(missing_ok=True)
    repo = await open_repo(live, ManualClock(), vault())
    assert await repo.people.get(1) is not None
    assert await repo.people.get(2) is None
    await repo.close()


async def test_a_second_backup_replaces_the_first(tmp_path):
    live, copy = tmp_path / "iop.db", tmp_path / "backup.db"
    repo = await open_repo(live, ManualClock(), vault())
    backup(live, copy)
    await repo.people.consent(1, "v1", "en")
    backup(live, copy)
    await repo.close()
    assert counts(copy)[0] == 1


def test_backup_refuses_a_missing_database_or_itself(tmp_path):
    with pytest.raises(BackupError, match="no database"):
        backup(tmp_path / "none.db", tmp_path / "copy.db")
    assert not (tmp_path / "none.db").exists()
    sqlite3.connect(tmp_path / "iop.db").close()
    with pytest.raises(BackupError, match="itself"):
        backup(tmp_path / "iop.db", tmp_path / "iop.db")


@pytest.mark.parametrize("exists", [True, False])
def test_backup_command(tmp_path, exists):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           "DATABASE_PATH": str(tmp_path / "iop.db")}
    run = [sys.executable, "-m", "bot"]
    if exists:
        subprocess.run([*run, "migrate"], env=env, cwd=tmp_path, check=True,
                       capture_output=True)
    result = subprocess.run([*run, "backup", "out/copy.db"], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == (0 if exists else 1)
    assert (tmp_path / "out" / "copy.db").exists() is exists
    if not exists:
        assert result.stderr.startswith("Backup failed: no database at")
        assert len(result.stderr.strip().splitlines()) == 1
