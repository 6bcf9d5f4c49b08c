"""Bad input gets a clear, kind reply, and nothing is lost or changed."""

import asyncio
from copy import deepcopy

import pytest

from tests.e2e.harness import STAFF_IDS, eventually, eventually_async
from tests.e2e.test_intake import answer_all, consent, reopened, submitted


@pytest.mark.parametrize("data", [
    "in:name:x", "in:summary:send", "st:claim:99999", "st:scheduled:1", "rm:yes:424242",
    "rm:why:1:unwell", "ls:y:no-such-lesson", "learn:no-such-lesson", "sf:ack:999",
    "consent:yes:../../etc", "privacy:keep", "rem:off", "totally-forged", "x" * 64,
])
async def test_forged_or_stale_buttons_change_nothing(bot, api, alice, data):
    await alice.send("/start")
    welcome = await alice.expect("welcome")
    api.press(alice.chat_id, alice.user_id, welcome.message_id, data)
    await eventually(lambda: len(api.callback_answers) >= 1)
    assert await bot.repo.store.all("SELECT * FROM requests") == []
    assert await bot.repo.store.all("SELECT * FROM people") == []


async def snapshot(bot, api) -> tuple[dict, dict]:
    """Every bot message in every chat, and every row of every table."""
    tables = await bot.repo.store.all("SELECT name FROM sqlite_master WHERE type = 'table'")
    rows = {t["name"]: [tuple(r) for r in await bot.repo.store.all(f"SELECT * FROM {t['name']}")]
            for t in tables}
    return {chat: deepcopy(api.messages(chat)) for chat in api.chats}, rows


@pytest.mark.parametrize("data", ["", None, "totally-forged", "x" * 64])
@pytest.mark.parametrize("where", ["private", "staff group"])
async def test_a_press_without_real_data_is_only_answered(bot, api, alice, dana, staff_group,
                                                          data, where):
    """No crisis page, no message anywhere, no row written: a toast, and nothing else."""
    await alice.send("/start")
    welcome = await alice.expect("welcome")
    await dana.send("/queue")
    queue = await staff_group.expect("Open requests")
    before, calls = await snapshot(bot, api), len(api.calls)
    who, message = (alice, welcome) if where == "private" else (dana, queue)
    update = api.press(who.chat_id, who.user_id, message.message_id, data)
    await eventually(lambda: api.callback_answers)
    await asyncio.sleep(0.5)
    assert await snapshot(bot, api) == before
    assert [name for name, _ in api.calls[calls:] if name != "getUpdates"] == [
        "answerCallbackQuery"]
    [answered] = api.callback_answers
    assert answered.query_id == update["callback_query"]["id"]
    assert answered.text == "That button is no longer active."

async def test_button_from_an_old_message_gets_the_menu(bot, api, alice):
    await alice.send("/start")
    welcome = await alice.expect("welcome")
    api.press(alice.chat_id, alice.user_id, welcome.message_id, "menu:old-feature")
    await alice.expect("doesn't do anything now")


async def test_photo_document_and_voice_keep_the_flow(bot, alice):
    await consent(alice)
    await alice.click("Me")
    await alice.expect("What name")
    for send in (alice.photo, alice.document, alice.voice, alice.sticker):
        await send()
        await alice.expect("I can only read text")
    await alice.send("Maya")
    await alice.expect("How old")


async def test_commands_out_of_order(bot, alice):
    await alice.send("/schedule")
    await alice.expect("for people enrolled in the program")
    await alice.send("/queue")
    await alice.expect("not sure how to help with that")
    await alice.send("/mydata")
    await alice.expect("I don't hold any information about you")
    await alice.send("/whatever")
    await alice.expect("not sure how to help")


async def test_long_text_without_a_conversation(bot, alice):
    await alice.send("lorem ipsum " * 450)
    await alice.expect("not sure how to help")


async def test_send_pressed_twice_sends_once(bot, api, alice, staff_group):
    await consent(alice)
    summary = await answer_all(alice)
    await alice.click("✅ Send my request", message=summary)
    await alice.expect("Your request")
    await alice.click("✅ Send my request", message=summary)
    await alice.expect("already been sent")
    alerts = [m for m in api.messages(staff_group.chat_id) if "Consultation request #" in m.text]
    assert len(alerts) == 1


async def unreachable(bot, person) -> bool:
    return (await bot.repo.people.get(person.user_id)).unreachable


async def test_staff_action_for_a_person_who_blocked_the_bot(bot, api, alice, staff_group,
                                                             dana):
    await consent(alice)
    await answer_all(alice)
    await alice.click("✅ Send my request")
    alert = await staff_group.expect("Consultation request #")
    await alice.block()
    await dana.click("📅 Scheduled", message=alert)
    prompt = await staff_group.expect("when is the consultation")
    await dana.reply(prompt, "tomorrow 10:00")
    await staff_group.expect("scheduled by Dana")
    await eventually_async(lambda: unreachable(bot, alice))
    assert (await bot.repo.requests.current(alice.user_id)).status == "scheduled"


async def test_staff_commands_only_in_the_staff_chat_or_private(bot, api, staff_group):
    other = api.group(-100777, "Book club")
    dana_elsewhere = other.person(api.person(STAFF_IDS[0], "Dana"))
    await dana_elsewhere.send("/queue")
    await dana_elsewhere.expect_none(timeout=0.5)
    lee = api.person(STAFF_IDS[1], "Lee")
    await lee.send("/queue")
    await lee.expect("Open requests")


async def test_refused_staff_attempts_are_audited(bot, api, alice, staff_group):
    await alice.send("/queue")
    await alice.expect("not sure how to help with that")
    await alice.send("/disclose 1 | x | y")
    await alice.expect("not sure how to help with that")
    refused = await bot.repo.audit.for_subject("staff_only")
    assert [(e.actor_id, e.action, e.detail) for e in refused] == [
        (alice.user_id, "staff_refused", "/queue (clinician)"),
        (alice.user_id, "staff_refused", "/disclose (on_call)")]


async def test_update_into_an_ineligible_request_tells_staff(bot, api, alice, staff_group):
    await submitted(alice)
    await staff_group.expect("Consultation request #")
    await reopened(alice)
    for _ in range(10):
        await alice.click("⬅️ Back")
        await alice.expect("")
    await alice.expect("How old")
    await alice.send("17")
    await alice.expect("Please check your request")
    await alice.click("✅ Send my request")
    await alice.expect("adults 18 and over")
    await api.wait_for(lambda: any("Status: not a fit (under 18 after the client's update)"
                                   in m.text for m in api.messages(staff_group.chat_id)))
    await api.wait_for(lambda: any("was closed" in m.text
                                   for m in api.messages(staff_group.chat_id)))
    assert await bot.repo.requests.current(alice.user_id) is None
    (closed,) = await bot.repo.store.all("SELECT id, handled_by FROM requests")
    assert closed["handled_by"] is None
    assert (await bot.repo.requests.get(closed["id"])).answers.age == 17


async def test_unblocking_brings_a_client_back(bot, api, dana, staff_group):
    await dana.send("/enroll Maya R.")
    card = await staff_group.expect("Invite link")
    token = card.text.split("start=inv_")[1].split()[0]
    maya = api.person(1009, "Maya")
    await maya.send(f"/start inv_{token}")
    await maya.expect("Welcome to the program")
    await bot.repo.clients.mark_unreachable(maya.user_id)
    await maya.block()
    await maya.unblock()
    await eventually_async(lambda: reachable(bot, maya))


async def reachable(bot, person) -> bool:
    return not (await bot.repo.clients.of_user(person.user_id)).unreachable


async def test_delete_clears_the_staff_alert(bot, api, alice, staff_group):
    await submitted(alice, name="Maya", phone="(608) 555-0123")
    alert = await staff_group.expect("Consultation request #")
    assert "Maya" in alert.text
    await alice.send("/delete")
    await alice.expect("Do you want me to delete everything")
    await alice.click("🗑 Yes, delete everything")
    await alice.expect("I've deleted what this chat stored about you")
    await api.wait_for(lambda: "was withdrawn" in api.messages(staff_group.chat_id)[0].text)
    cleared = api.messages(staff_group.chat_id)[0]
    assert "Maya" not in cleared.text and "+1608" not in cleared.text and not cleared.buttons
    assert await bot.repo.store.all("SELECT * FROM requests") == []
