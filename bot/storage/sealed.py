"""Which columns hold sealed values, and the pass that re-seals them with the current key.

The pass works in small committed batches, so it can run beside the bot and, stopped at any
point, simply be run again: what is done stays done.
"""

import json
from collections.abc import Callable

from bot.storage.base import Store
from bot.storage.vault import PREFIX

# (table, column, field): the field is the associated data the value is sealed with.
SEALED = (
    ("requests", "answers", "requests.answers"),
    ("requests", "saved_answers", "requests.answers"),
    ("requests", "reason", "requests.reason"),
    ("clients", "name", "clients.name"),
    ("clients", "video_link", "clients.video_link"),
    ("sessions", "reason", "sessions.reason"),
    ("emergency_disclosures", "recipient", "disclosures.recipient"),
    ("emergency_disclosures", "nature", "disclosures.nature"),
    ("outbox", "parts", "outbox.parts"),
    ("outbox", "buttons", "outbox.buttons"),
)
PHONE = "requests.phone"
BATCH = 200


async def census(store: Store) -> dict[str, int]:
    """How many values each key id seals; "" counts values still in clear."""
    found: dict[str, int] = {}
    for table, column, _ in SEALED:
        rows = await store.all(
            f"SELECT CASE WHEN {column} GLOB '{PREFIX}*' THEN substr({column}, {len(PREFIX) + 1},"
            f" instr(substr({column}, {len(PREFIX) + 1}), ':') - 1) ELSE '' END AS kid, COUNT(*)"
            f" FROM {table} WHERE {column} IS NOT NULL GROUP BY kid")
        for kid, count in rows:
            found[kid] = found.get(kid, 0) + count
    return found


async def reseal(store: Store, *, plain_only: bool = False,
                 progress: Callable[[int], None] | None = None) -> int:
    """Seal every value not sealed with the current key (with `plain_only`, just the values
    written before encryption). Returns the count."""
    vault, done = store.vault, 0
    skip = f"{PREFIX}*" if plain_only else f"{PREFIX}{vault.kid}:*"  # GLOB: case counts
    for table, column, field in SEALED:
        last = 0
        while rows := await store.all(
                f"SELECT rowid, {column} FROM {table} WHERE rowid > ? AND {column} IS NOT NULL"
                f" AND {column} NOT GLOB ? ORDER BY rowid LIMIT ?", last, skip, BATCH):
            async with store.tx() as db:
                for rowid, value in rows:
                    await db.execute(
                        f"UPDATE {table} SET {column} = ? WHERE rowid = ? AND {column} = ?",
                        (vault.seal(field, vault.open(field, value)), rowid, value))
            last, done = rows[-1][0], done + len(rows)
            if progress:
                progress(done)
    return done


async def remac(store: Store) -> int:
    """Phones whose HMAC is missing or made with another key."""
    vault, done, last = store.vault, 0, 0
    while rows := await store.all(
            "SELECT id, answers FROM requests WHERE id > ?"
            " AND (phone_mac IS NULL OR phone_mac NOT GLOB ?) ORDER BY id LIMIT ?",
            last, f"{vault.kid}:*", BATCH):
        async with store.tx() as db:
            for request_id, value in rows:
                if phone := phone_of(vault.open("requests.answers", value)):
                    await db.execute(
                        "UPDATE requests SET phone_mac = ? WHERE id = ? AND answers = ?",
                        (vault.mac(PHONE, phone), request_id, value))
                    done += 1
        last = rows[-1][0]
    return done


def phone_of(answers: str | None) -> str | None:
    """Read without validating: an error would quote the answers."""
    phone = json.loads(answers or "{}").get("phone")
    return phone if isinstance(phone, str) else None
