"""Privacy a Part 2 program can sign off: deletion that really deletes, an append-only audit
trail."""

from pathlib import Path

import pytest

from tests.e2e.test_intake import submitted

NAME, PHONE, NOTE = "Zebulonia", "+16085550199", "quixotic marmalade 7731"


def on_disk(db: Path) -> bytes:
    """The database file and its WAL as bytes, read while the bot keeps running."""
    wal = db.with_name(db.name + "-wal")
    return db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def found(raw: bytes) -> list[str]:
    return [s for s in (NAME, PHONE, NOTE, "608) 555-0199") if s.encode() in raw]


async def test_delete_leaves_no_copy_in_the_file_or_wal(bot, alice, staff_group):
    await submitted(alice, name=NAME, phone="(608) 555-0199", notes=NOTE)
    await staff_group.expect("Consultation request #")
    db = bot.settings.database_path
    assert found(on_disk(db))  # the strings this test looks for do reach the disk
    await alice.send("/delete")
    await alice.expect("Do you want me to delete everything")
    await alice.click("🗑 Yes, delete everything")
    done = await alice.expect("I've deleted what this chat stored about you")
    assert "42 CFR 2.51" in done.text and "without your name" in done.text
    assert found(on_disk(db)) == []
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
