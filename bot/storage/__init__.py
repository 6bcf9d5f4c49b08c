"""All SQL lives here. Handlers see a Repo of small async methods, never a query."""

from pathlib import Path

from bot.clock import Clock
from bot.storage.audit import Audit
from bot.storage.base import Store
from bot.storage.clients import Clients
from bot.storage.db import connect, migrate
from bot.storage.outbox import Outbox
from bot.storage.people import People
from bot.storage.requests import Requests
from bot.storage.retention import Retention
from bot.storage.safety import Safety
from bot.storage.sessions import Reminders, Sessions
from bot.storage.staff import Staff


class Repo:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.people = People(store)
        self.audit = Audit(store)
        self.requests = Requests(store)
        self.safety = Safety(store)
        self.outbox = Outbox(store)
        self.clients = Clients(store)
        self.sessions = Sessions(store)
        self.reminders = Reminders(store)
        self.staff = Staff(store)
        self.retention = Retention(store)

    async def ping(self) -> None:
        await self.store.one("SELECT 1")

    async def checkpoint(self) -> bool:
        """Copy the WAL into the file and truncate it, so a deleted row leaves no copy behind
        (secure_delete zeroes it in the file). False if a reader kept part of the WAL."""
        async with self.store.lock:
            row = await self.store.one("PRAGMA wal_checkpoint(TRUNCATE)")
        return row is not None and row[0] == 0

    async def close(self) -> None:
        await self.store.conn.close()


async def open_repo(path: Path | str, clock: Clock) -> Repo:
    conn = await connect(path)
    await migrate(conn)
    return Repo(Store(conn, clock))


async def migrate_only(path: Path | str) -> int:
    conn = await connect(path)
    try:
        return await migrate(conn)
    finally:
        await conn.close()
