"""All SQL lives here. Handlers see a Repo of small async methods, never a query."""

import logging
from pathlib import Path

from bot.clock import Clock
from bot.config import ConfigError
from bot.storage.audit import Audit
from bot.storage.base import Store
from bot.storage.clients import Clients
from bot.storage.db import connect, migrate
from bot.storage.outbox import Outbox
from bot.storage.people import People
from bot.storage.requests import Requests
from bot.storage.retention import Retention
from bot.storage.safety import Safety
from bot.storage.sealed import census, remac, reseal
from bot.storage.sessions import Reminders, Sessions
from bot.storage.staff import Staff
from bot.storage.stats import Stats
from bot.storage.vault import Vault

log = logging.getLogger(__name__)


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
        self.stats = Stats(store)
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


async def open_repo(path: Path | str, clock: Clock, vault: Vault) -> Repo:
    """The database, migrated, with values from before encryption sealed. Refuses a vault
    that lacks a key the data was sealed with."""
    conn = await connect(path)
    try:
        await migrate(conn)
        store = Store(conn, clock, vault)
        if missing := sorted(set(await census(store)) - {"", *vault.ids}):
            raise ConfigError(
                f"DATA_ENCRYPTION_KEY: the database holds values sealed with key id "
                f"{', '.join(missing)}, which is not configured; give that key after the "
                f"current one (DATA_ENCRYPTION_KEY=new,old) until `iop-bot rotate-key` ends")
        if sealed := await reseal(store, plain_only=True):
            log.info("sealed %d values written before encryption", sealed)
        await remac(store)
    except BaseException:
        await conn.close()
        raise
    return Repo(store)


async def migrate_only(path: Path | str) -> int:
    conn = await connect(path)
    try:
        return await migrate(conn)
    finally:
        await conn.close()
