from datetime import datetime

from pydantic import BaseModel

from bot.storage.base import Table, parse_ts


class Person(BaseModel):
    user_id: int
    language: str | None
    consent_version: str
    consent_at: datetime
    revoked_at: datetime | None
    unreachable: bool
    stopped: bool

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class Held(BaseModel):
    """What the bot keeps about a person besides requests: the consent, safety records
    (kept under 42 CFR 2.51), emergency disclosures, and the audit log's entries."""

    consent_version: str | None
    safety_events: int
    disclosures: int
    log_entries: int


class People(Table):
    async def consent(self, user_id: int, version: str, language: str | None) -> None:
        """Agree, or agree again after a revocation."""
        async with self.store.tx() as db:
            await db.execute(
                "INSERT INTO people (user_id, language, consent_version, consent_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET"
                " consent_version = excluded.consent_version, consent_at = excluded.consent_at,"
                " revoked_at = NULL",
                (user_id, language, version, self.store.now()),
            )

    async def revoke(self, user_id: int) -> bool:
        """True the first time only: a second press changes nothing."""
        async with self.store.tx() as db:
            cursor = await db.execute(
                "UPDATE people SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
                (self.store.now(), user_id))
            return cursor.rowcount > 0

    async def get(self, user_id: int) -> Person | None:
        row = await self.store.one("SELECT * FROM people WHERE user_id = ?", user_id)
        if row is None:
            return None
        return Person(user_id=row["user_id"], language=row["language"],
                      consent_version=row["consent_version"],
                      consent_at=parse_ts(row["consent_at"]),
                      revoked_at=parse_ts(row["revoked_at"]),
                      unreachable=row["unreachable_at"] is not None,
                      stopped=row["stopped_at"] is not None)

    async def revoked(self, user_id: int) -> bool:
        row = await self.store.one(
            "SELECT 1 FROM people WHERE user_id = ? AND revoked_at IS NOT NULL", user_id)
        return row is not None

    async def mark_unreachable(self, user_id: int) -> bool:
        """True the first time only, so staff are told once."""
        async with self.store.tx() as db:
            cursor = await db.execute(
                "UPDATE people SET unreachable_at = ? WHERE user_id = ? AND unreachable_at IS NULL",
                (self.store.now(), user_id),
            )
            return cursor.rowcount > 0

    async def mark_reachable(self, user_id: int) -> None:
        async with self.store.tx() as db:
            await db.execute("UPDATE people SET unreachable_at = NULL WHERE user_id = ?",
                             (user_id,))

    async def forget(self, user_id: int) -> None:
        async with self.store.tx() as db:
            await db.execute("DELETE FROM people WHERE user_id = ?", (user_id,))

    async def held(self, user_id: int) -> Held:
        row = await self.store.one(
            "SELECT (SELECT consent_version FROM people WHERE user_id = ?1),"
            " (SELECT COUNT(*) FROM safety_events WHERE user_id = ?1),"
            " (SELECT COUNT(*) FROM emergency_disclosures WHERE user_id = ?1),"
            " (SELECT COUNT(*) FROM audit_log WHERE actor_id = ?1 OR subject = ?2)",
            user_id, f"person:{user_id}")
        assert row is not None  # a SELECT of subqueries always gives one row
        return Held(consent_version=row[0], safety_events=row[1], disclosures=row[2],
                    log_entries=row[3])
