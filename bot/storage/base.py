import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import TypeVar

import aiosqlite

from bot.clock import Clock
from bot.storage.vault import Vault


def ts(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


T = TypeVar("T")


def parse_ts(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def inserted(cursor: aiosqlite.Cursor) -> int:
    """The new row's id: typed as optional, but an INSERT that made a row always sets it."""
    if cursor.lastrowid is None:
        raise RuntimeError("the INSERT made no row")
    return cursor.lastrowid


async def fresh_id(db: aiosqlite.Connection, table: str) -> int:
    """An id no row of `table` ever had (see migration 011), inside the caller's transaction."""
    async with db.execute(
            "UPDATE high_water SET last = MAX(last, (SELECT COALESCE(MAX(id), 0) FROM"
            f" {table})) + 1 WHERE name = ? RETURNING last", (table,)) as cursor:
        row = await cursor.fetchone()
    if row is None:
        raise RuntimeError(f"no high-water mark for {table}")
    return int(row[0])


def written(row: T | None) -> T:
    """A row this transaction just wrote, read back."""
    if row is None:
        raise RuntimeError("a row just written is gone")
    return row


class Store:
    """One connection shared by every table object.

    Writes take the lock so that one task's transaction never swallows another task's
    statements: aiosqlite runs everything on one connection.
    """

    def __init__(self, conn: aiosqlite.Connection, clock: Clock, vault: Vault) -> None:
        self.conn = conn
        self.clock = clock
        self.vault = vault
        self.lock = asyncio.Lock()

    def seal(self, field: str, text: str | None) -> str | None:
        return self.vault.seal(field, text)

    def open(self, field: str, value: str | None) -> str | None:
        return self.vault.open(field, value)

    def now(self) -> str:
        return ts(self.clock.now())

    @asynccontextmanager
    async def tx(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self.lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await self.conn.rollback()
                raise
            await self.conn.commit()

    async def one(self, sql: str, *args: object) -> aiosqlite.Row | None:
        async with self.conn.execute(sql, args) as cursor:
            return await cursor.fetchone()

    async def all(self, sql: str, *args: object) -> list[aiosqlite.Row]:
        async with self.conn.execute(sql, args) as cursor:
            return list(await cursor.fetchall())


class Table:
    def __init__(self, store: Store) -> None:
        self.store = store
