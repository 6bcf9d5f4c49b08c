"""Privacy a Part 2 program can sign off: deletion that really deletes, an append-only audit
trail."""

import asyncio
from pathlib import Path

import pytest

from tests.e2e.test_intake import submitted

NAME, PHONE, NOTE = "Zebulonia", "+16085550199", "quixotic marmalade 7731"


def on_disk(db: Path) -> bytes:
    """Every file beside the database (the file, its WAL and any journal), read while the
    bot keeps running; the data key's file aside."""
    return b"".join(path.read_bytes() for path in sorted(db.parent.iterdir())
                    if path.name.startswith(db.name) and path.suffix != ".key"
                    and path.is_file())


def found(raw: bytes) -> list[str]:
    return [s for s in (NAME, PHONE, NOTE, "608) 555-0199", "5550199") if s.encode() in raw]


async def watch(db: Path, seen: list[str], stop: asyncio.Event) -> None:
    """Read the files over and over while the flow runs: plaintext must never land."""
    while not stop.is_set():
        try:
            seen.extend(found(on_disk(db)))
        except FileNotFoundError:  # a journal came and went between listing and reading
            pass
        await asyncio.sleep(0.005)


async def test_personal_data_never_reaches_the_disk_and_delete_erases_the_ciphertext(
        bot, alice, staff_group):
    db = bot.settings.database_path
    seen: list[str] = []
    stop = asyncio.Event()
    watcher = asyncio.create_task(watch(db, seen, stop))
    await submitted(alice, name=NAME, phone="(608) 555-0199", notes=NOTE)
    alert = await staff_group.expect("Consultation request #")
    assert NAME in alert.text  # staff still read it: sealed at rest, not hidden from them
    stop.set()
    await watcher
    assert seen == []
    assert found(on_disk(db)) == []
    (answers,) = await bot.repo.store.one("SELECT answers FROM requests")
    assert answers.startswith("enc1:")
    ciphertext = answers.split(":")[2].encode()
    assert ciphertext in on_disk(db)  # what the deletion below has to erase
    await alice.send("/delete")
    await alice.expect("Do you want me to delete everything")
    await alice.click("🗑 Yes, delete everything")
    done = await alice.expect("I've deleted what this chat stored about you")
    assert "42 CFR 2.51" in done.text and "without your name" in done.text
    assert ciphertext not in on_disk(db)
    assert ciphertext[:24] not in on_disk(db)
    assert (await bot.repo.audit.for_subject(f"person:{alice.user_id}"))[-1].action == \
        "data_deleted"


async def test_audit_trail_shows_views_and_cannot_be_changed(bot, alice, staff_group, dana):
    await submitted(alice)
    alert = await staff_group.expect("Consultation request #1")
    await dana.click("🙋 Claim", message=alert)
    await staff_group.expect("claim by Dana")
    await dana.send("/queue")
    await staff_group.expect("Open requests")
    await dana.send("/audit 1")
    trail = await staff_group.expect("Audit trail: request #1")
    assert [line.split(": ", 1)[1] for line in trail.text.splitlines()[1:]] == [
        "intake started by 1001", "intake sent by 1001 (tier=2)", "staff claim by Dana"]
    await dana.send("/audit nonsense")
    await staff_group.expect("Use /audit 12")
    assert [e.action for e in await bot.repo.audit.for_subject("queue")] == \
        ["staff_queue_viewed"]
    for sql in ("UPDATE audit_log SET detail = NULL", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"):
            await bot.repo.store.conn.execute(sql)
