"""`iop-bot backup`: a consistent copy of the live database, safe while the bot runs.
`iop-bot rotate-key`: every stored value re-encrypted with the first configured key."""

import os
import sqlite3
import sys
from contextlib import closing
from pathlib import Path

from bot.clock import SystemClock
from bot.config import Settings
from bot.keys import vault_for
from bot.storage import open_repo
from bot.storage.sealed import census, remac, reseal


class BackupError(Exception):
    """The backup was not written; the message says why."""


def backup(database: Path, target: Path) -> int:
    """Copy `database` to `target` and return its schema version.

    SQLite's online backup copies every page in one step, inside one read transaction, so
    the copy is a snapshot even while the bot writes (WAL lets both go on). It goes to a
    private temporary file that must pass `PRAGMA integrity_check` before it replaces
    `target`, so a failed backup never clobbers a good one.
    """
    if not database.is_file():
        raise BackupError(f"no database at {database} (DATABASE_PATH)")
    if target.resolve() == database.resolve():
        raise BackupError("the backup would replace the database itself; choose another path")
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    os.close(os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    try:
        with (closing(sqlite3.connect(database, timeout=30)) as source,
              closing(sqlite3.connect(temp)) as copy):
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")
            problems = [row[0] for row in copy.execute("PRAGMA integrity_check")]
            version = copy.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0]
        if problems != ["ok"]:
            raise BackupError(f"the copy failed its integrity check: {problems[0]}")
        with open(temp, "rb") as written:
            os.fsync(written.fileno())
        os.replace(temp, target)
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite refused ({type(exc).__name__}: {exc})") from None
    finally:
        temp.unlink(missing_ok=True)
    return int(version or 0)


def run_backup(database: Path, target: Path) -> int:
    try:
        version = backup(database, target)
    except BackupError as exc:
        print(f"Backup failed: {exc}", file=sys.stderr)
        return 1
    print(f"backed up {database} to {target} (schema version {version}, integrity ok)")
    return 0


async def run_rotate(settings: Settings) -> int:
    """Safe beside the running bot, and resumable: each batch commits on its own. Only with
    a configured key and an existing database: never the demo's key, never a new file."""
    if settings.data_encryption_key is None and settings.data_encryption_key_file is None:
        print("DATA_ENCRYPTION_KEY: not set; give the new key first and the old one after it "
              "(DATA_ENCRYPTION_KEY=new,old)", file=sys.stderr)
        return 2
    if not settings.database_path.is_file():
        print(f"no database at {settings.database_path} (DATABASE_PATH)", file=sys.stderr)
        return 2
    vault = vault_for(settings)
    repo = await open_repo(settings.database_path, SystemClock(), vault)
    try:
        before = await census(repo.store)
        print(f"sealing with key {vault.kid}; before: {_counts(before)}", flush=True)
        sealed = await reseal(repo.store)
        phones = await remac(repo.store)
        after = await census(repo.store)
    finally:
        await repo.close()
    print(f"re-encrypted {sealed} values and {phones} phone lookups; now: {_counts(after)}")
    if not set(after) <= {vault.kid}:
        print("some values are not sealed with the first key yet: run it again")
        return 1
    print("every value is sealed with the first key: older keys may be removed from the "
          "configuration (keep them with your backups' keys as long as those backups)")
    return 0


def _counts(census: dict[str, int]) -> str:
    return ", ".join(f"{count} {f'with key {kid}' if kid else 'in clear'}"
                     for kid, count in sorted(census.items())) or "nothing stored"
