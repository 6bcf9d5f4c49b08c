"""The safety promise through a Bot API that falters: the person gets the contacts and
staff get the page, each at most twice, whatever Telegram answers for a while."""

import asyncio
import sqlite3
import sys
from pathlib import Path

import pytest

from tests.e2e.harness import STAFF_CHAT, eventually
from tests.e2e.test_intake import saying

CRISIS = "Please call or text 988 now"


def copies(api, chat, text=CRISIS) -> int:
    return len(saying(api, chat, text))


async def crisis_reaches_both(api, alice, staff_group, within: float) -> None:
    await alice.send("i want to kill myself tonight")
    await eventually(lambda: copies(api, alice) and copies(api, staff_group, "Safety page"),
                     within=within)
    await asyncio.sleep(1.5)
    assert copies(api, alice) == 1
    assert copies(api, staff_group, "Safety page") == 1


@pytest.mark.errors_expected
async def test_500s_for_ten_seconds(bot, api, alice, staff_group):
    api.fail(seconds=10)
    await crisis_reaches_both(api, alice, staff_group, within=25)


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_429_with_retry_after_for_twenty_seconds(bot, api, alice, staff_group):
    api.throttle(seconds=20, retry_after=7)
    await crisis_reaches_both(api, alice, staff_group, within=35)


async def test_two_timeouts_give_at_most_one_duplicate(bot, api, alice, staff_group):
    api.stall(6, times=2, chat_id=alice.user_id)
    await alice.send("i want to kill myself tonight")
    await staff_group.expect("Safety page")
    notice = await staff_group.expect("may not have arrived", timeout=20)
    assert "Not delivered" in notice.text
    await asyncio.sleep(1.5)
    assert copies(api, alice) == 2
    assert copies(api, staff_group, "Safety page") == 1


async def test_a_500_on_the_staff_chat_is_sent_again(bot, api, alice, staff_group):
    api.fail(times=1, chat_id=STAFF_CHAT)
    await crisis_reaches_both(api, alice, staff_group, within=10)
    assert api.faults.hits == 1


async def test_a_blocked_person_ends_the_reply_and_staff_are_told(bot, api, alice, staff_group):
    api.fail(status=403, chat_id=alice.user_id)
    await alice.send("i want to kill myself tonight")
    page = await staff_group.expect("Safety page")
    notice = await staff_group.expect("blocked the bot")
    assert not copies(api, alice)
    assert page.message_id < notice.message_id
    rows = await bot.repo.store.all("SELECT status, parts FROM outbox WHERE chat_id = ?",
                                    alice.user_id)
    assert [(row["status"], row["parts"]) for row in rows] == [("blocked", None)]


async def test_the_row_keeps_no_words_and_is_cleared_once_sent(bot, api, alice, staff_group):
    await alice.send("i want to kill myself, the bridge tonight")
    page = await staff_group.expect("Safety page")
    assert "the bridge tonight" in page.text
    await eventually(lambda: True)

    async def rows():
        return await bot.repo.store.all("SELECT kind, status, parts FROM outbox ORDER BY id")

    for _ in range(100):
        found = await rows()
        if len(found) == 2 and all(row["status"] == "sent" for row in found):
            break
        await asyncio.sleep(0.05)
    assert [(row["kind"], row["status"], row["parts"]) for row in found] == [
        ("reply", "sent", None), ("page", "sent", None)]


def pending(db) -> list[tuple[str, int]]:
    try:
        with sqlite3.connect(db) as conn:
            return conn.execute(
                "SELECT kind, chat_id FROM outbox WHERE status = 'pending' ORDER BY id").fetchall()
    except sqlite3.OperationalError:
        return []


async def test_kill_9_between_detection_and_delivery(api, alice, staff_group, tmp_path):
    db = tmp_path / "iop.db"
    words = "the bridge at midnight"
    api.fail()
    child = await spawn(api, db)
    try:
        await alice.send(f"i want to kill myself, {words}")
        await eventually(lambda: len(pending(db)) == 2, within=15)
        child.kill()
        await child.wait()
        with sqlite3.connect(db) as conn:
            stored = conn.execute("SELECT group_concat(parts) FROM outbox").fetchone()[0]
        assert words not in stored
        assert pending(db) == [("reply", alice.user_id), ("page", STAFF_CHAT)]
        assert not api.messages(alice.user_id)
        api.faults.clear()
        child = await spawn(api, db)
        await eventually(lambda: copies(api, alice) and copies(api, staff_group, "Safety page"),
                         within=15)
        await eventually(lambda: not pending(db), within=5)
        assert copies(api, alice) == 1
        assert copies(api, staff_group, "Safety page") == 1
    finally:
        if child.returncode is None:
            child.terminate()
            await child.wait()


async def spawn(api, db):
    log = open(db.with_suffix(".log"), "a")  # noqa: ASYNC230 - the child holds it
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.e2e.child", api.base_url, api.token, str(db),
        str(STAFF_CHAT), stdout=log, stderr=log, cwd=Path(__file__).parents[2])
