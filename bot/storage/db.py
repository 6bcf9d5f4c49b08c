"""The SQLite connection and the numbered migrations that shape it."""

import hashlib
import re
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

import aiosqlite

from bot.config import ConfigError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


async def connect(path: Path | str) -> aiosqlite.Connection:
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = await aiosqlite.connect(path, isolation_level=None)
    conn.row_factory = aiosqlite.Row
    try:
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute("PRAGMA secure_delete=ON")
        await conn.execute("PRAGMA temp_store=MEMORY")  # sorts and temp tables stay in memory
        await conn.execute("PRAGMA busy_timeout=5000")
        await conn.execute("PRAGMA synchronous=NORMAL")
    except BaseException:
        await conn.close()
        raise
    return conn


def migrations() -> list[tuple[int, str, str]]:
    found = []
    for path in sorted(MIGRATIONS.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise RuntimeError(f"migration file {path.name} must look like 001_name.sql")
        found.append((int(match[1]), path.stem, path.read_text(encoding="utf-8")))
    return found


def checksum(sql: str) -> str:
    return hashlib.sha256(sql.encode()).hexdigest()


class MigrationChanged(ConfigError):
    """A migration file differs from the one applied to this database."""


async def migrate(conn: aiosqlite.Connection) -> int:
    """Apply pending migrations, each in its own transaction. Returns the schema version.

    An applied migration must never change: its checksum is recorded, and a changed file
    stops start-up instead of leaving this database without the new columns.
    """
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
        " name TEXT NOT NULL, applied_at TEXT NOT NULL, checksum TEXT NOT NULL)"
    )
    rows = await conn.execute_fetchall("SELECT version, checksum FROM schema_migrations")
    done = {row[0]: row[1] for row in rows}
    for version, name, sql in migrations():
        digest = checksum(sql)
        if version in done:
            if done[version] != digest:
                raise MigrationChanged(f"DATABASE_PATH: migration {name} changed after it was "
                                       "applied to this database; restore the file and put "
                                       "the change in a new migration")
            continue
        now = datetime.now(UTC).isoformat(timespec="seconds")
        await conn.executescript(
            f"BEGIN;\n{sql}\n;INSERT INTO schema_migrations VALUES "
            f"({version}, '{name}', '{now}', '{digest}');\nCOMMIT;"
        )
    return await version_of(conn)


async def version_of(conn: aiosqlite.Connection) -> int:
    (row,) = await conn.execute_fetchall("SELECT MAX(version) FROM schema_migrations")
    return int(row[0] or 0)


class Schema(NamedTuple):
    version: int
    pending: list[str]  # migrations not applied yet
    changed: list[str]  # applied, but the file differs now: migrate would refuse
    unknown: list[int]  # applied by a newer version of the bot
    integrity: str  # "ok", or SQLite's first complaint


def inspect(path: Path) -> Schema:
    """What `migrate` would find at `path`, read without creating or changing anything."""
    uri = f"{path.absolute().as_uri()}?mode=rw"
    with closing(sqlite3.connect(uri, uri=True)) as conn:
        integrity = conn.execute("PRAGMA quick_check").fetchone()[0]
        rows: list[tuple[int, str]] = []
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'schema_migrations'").fetchone():
            rows = conn.execute("SELECT version, checksum FROM schema_migrations").fetchall()
    done: dict[int, str] = {row[0]: row[1] for row in rows}
    known = migrations()
    return Schema(
        version=max(done, default=0),
        pending=[name for version, name, _ in known if version not in done],
        changed=[name for version, name, sql in known
                 if version in done and done[version] != checksum(sql)],
        unknown=sorted(set(done) - {version for version, _, _ in known}),
        integrity=str(integrity),
    )
