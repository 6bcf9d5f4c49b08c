"""The user-level driver; the bot's side is played with direct HTTP calls."""

import asyncio

import pytest
from telegram import Bot, Update

from bot.standin import Button, StandIn
from tests.standin.conftest import TOKEN, Call


def keyboard(*labels: str) -> dict:
    return {"inline_keyboard": [[{"text": t, "callback_data": t.lower()} for t in labels]]}


async def test_expect_returns_a_reply_sent_after_the_last_action(api: StandIn, call: Call) -> None:
    alice = api.person(1001, "Alice")
    await alice.send("/start")
    waiting = asyncio.create_task(alice.expect("welcome"))
    await asyncio.sleep(0)
    assert not waiting.done()
    await call("sendMessage", chat_id=1001, text="<b>Welcome</b>, Alice", parse_mode="HTML")
    message = await asyncio.wait_for(waiting, 1)
    assert (message.text, message.html, message.parse_mode) == (
        "Welcome, Alice",
        "<b>Welcome</b>, Alice",
        "HTML",
    )
    assert alice.last() is message
    assert alice.inbox() == [message]


async def test_expect_ignores_messages_from_before_the_last_action(
    api: StandIn, call: Call
) -> None:
    alice = api.person(1001, "Alice")
    await call("sendMessage", chat_id=1001, text="Welcome")
    await alice.send("hello again")
    with pytest.raises(
        TimeoutError, match=r"(?s)no bot message containing 'Welcome'.*#1: 'Welcome'"
    ):
        await alice.expect("Welcome", timeout=0.05)


async def test_expect_sees_edits_of_older_messages(api: StandIn, call: Call) -> None:
    alice = api.person(1001, "Alice")
    _, sent = await call("sendMessage", chat_id=1001, text="Pick", reply_markup=keyboard("A"))
    await call("sendMessage", chat_id=1001, text="Other")
    await alice.click("A")
    edit = {"chat_id": 1001, "message_id": sent["result"]["message_id"], "text": "Picked A"}
    await call("editMessageText", **edit)
    message = await alice.expect("picked")
    assert (message.message_id, message.edits) == (1, 1)


async def test_expect_none(api: StandIn, call: Call) -> None:
    alice = api.person(1001, "Alice")
    await alice.sticker()
    await alice.expect_none(timeout=0.02)
    await call("sendMessage", chat_id=1001, text="Nice sticker")
    with pytest.raises(AssertionError, match="Nice sticker"):
        await alice.expect_none(timeout=0.02)


async def test_click_presses_the_newest_matching_button(api: StandIn, call: Call) -> None:
    alice = api.person(1001, "Alice")
    await call("sendMessage", chat_id=1001, text="Old", reply_markup=keyboard("Yes", "No"))
    await call("sendMessage", chat_id=1001, text="New", reply_markup=keyboard("Yes please"))
    exact = (await alice.click("Yes"))["callback_query"]
    assert (exact["message"]["text"], exact["data"]) == ("Old", "yes")
    partial = (await alice.click("please"))["callback_query"]
    assert (partial["message"]["text"], partial["data"]) == ("New", "yes please")
    assert partial["from"]["id"] == 1001
    assert partial["chat_instance"] == exact["chat_instance"]


async def test_click_on_a_given_message(api: StandIn, call: Call) -> None:
    alice = api.person(1001, "Alice")
    await call("sendMessage", chat_id=1001, text="First", reply_markup=keyboard("Agree"))
    await call("sendMessage", chat_id=1001, text="Second", reply_markup=keyboard("Agree"))
    first = alice.inbox()[0]
    query = (await alice.click("Agree", message=first))["callback_query"]
    assert query["message"]["message_id"] == first.message_id


async def test_click_errors_name_the_visible_buttons(api: StandIn, call: Call) -> None:
    alice = api.person(1001, "Alice")
    await call("sendMessage", chat_id=1001, text="Q", reply_markup=keyboard("Morning", "Evening"))
    link = {"inline_keyboard": [[{"text": "Website", "url": "https://example.org"}]]}
    await call("sendMessage", chat_id=1001, text="Links", reply_markup=link)
    with pytest.raises(LookupError, match=r"(?s)no button 'Night'.*Morning \| Evening"):
        await alice.click("Night")
    with pytest.raises(LookupError, match="several buttons"):
        await alice.click("ning")
    with pytest.raises(ValueError, match=r"opens https://example\.org"):
        await alice.click("Website")
    assert api.messages(1001)[1].buttons == [[Button("Website", url="https://example.org")]]


async def test_a_deleted_message_can_still_be_pressed(api: StandIn, call: Call) -> None:
    alice = api.person(1001, "Alice")
    _, sent = await call("sendMessage", chat_id=1001, text="Soon gone", reply_markup=keyboard("Go"))
    await call("deleteMessage", chat_id=1001, message_id=sent["result"]["message_id"])
    with pytest.raises(LookupError):
        await alice.click("Go")
    [message] = alice.inbox()
    update = await alice.click("Go", message=message)
    async with Bot(TOKEN, base_url=api.base_url) as bot:
        query = Update.de_json(update, bot).callback_query
    assert query.message.is_accessible is False
    assert query.data == "go"


async def test_a_press_may_carry_empty_or_no_data(api: StandIn, call: Call) -> None:
    api.person(1001, "Alice")
    _, sent = await call("sendMessage", chat_id=1001, text="Hi", reply_markup=keyboard("Go"))
    message_id = sent["result"]["message_id"]
    empty, missing = api.press(1001, 1001, message_id, ""), api.press(1001, 1001, message_id, None)
    assert empty["callback_query"]["data"] == ""
    assert "data" not in missing["callback_query"]
    async with Bot(TOKEN, base_url=api.base_url) as bot:
        assert Update.de_json(missing, bot).callback_query.data is None


async def test_group_chat(api: StandIn, call: Call) -> None:
    alice = api.person(1001, "Alice")
    staff = api.group(-100123, title="Clinic staff")
    alice_in_group = staff.person(alice)
    update = await alice_in_group.send("/report@iop_companion_bot today")
    message = update["message"]
    assert message["chat"] == {"id": -100123, "type": "supergroup", "title": "Clinic staff"}
    assert message["from"]["id"] == 1001
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 25}]
    await call("sendMessage", chat_id=-100123, text="Report for today")
    assert (await staff.expect("report")).chat_id == -100123
    assert (await alice_in_group.expect("report")).chat_id == -100123
    assert alice.inbox() == []
    assert [m.text for m in staff.messages()] == ["Report for today"]


async def test_user_updates_are_valid_for_ptb(api: StandIn) -> None:
    alice = api.person(1001, "Alice", username="alice", language_code="de")
    updates = [
        await alice.send("hi"),
        await alice.sticker("👍"),
        await alice.photo(caption="look"),
        await alice.voice(duration=7),
        await alice.document("plan.pdf"),
        await alice.edit(1, "hi, edited"),
        await alice.block(),
    ]
    assert [u["update_id"] for u in updates] == list(range(1, 8))
    async with Bot(TOKEN, base_url=api.base_url) as bot:
        text, sticker, photo, voice, document, edited, blocked = (
            Update.de_json(u, bot) for u in updates
        )
    assert (text.message.text, text.message.from_user.language_code) == ("hi", "de")
    assert sticker.message.sticker.emoji == "👍"
    assert (photo.message.photo[-1].width, photo.message.caption) == (800, "look")
    assert voice.message.voice.to_dict()["duration"] == 7
    assert (document.message.document.file_name, document.message.document.mime_type) == (
        "plan.pdf",
        "application/pdf",
    )
    assert (edited.edited_message.message_id, edited.edited_message.text) == (1, "hi, edited")
    assert blocked.my_chat_member.new_chat_member.status == "kicked"


async def test_wait_for_wakes_on_sends_and_answers(api: StandIn, call: Call) -> None:
    alice = api.person(1001, "Alice")
    await call("sendMessage", chat_id=1001, text="Hello there")
    with pytest.raises(TimeoutError, match="chat 1001 #1: 'Hello there'"):
        await api.wait_for(lambda: len(api.messages(1001)) > 1, timeout=0.02)
    waiting = asyncio.create_task(api.wait_for(lambda: len(api.messages(1001)) > 1))
    await call("sendMessage", chat_id=1001, text="Second", reply_markup=keyboard("Ok"))
    assert await asyncio.wait_for(waiting, 1) is True
    query_id = (await alice.click("Ok"))["callback_query"]["id"]
    answered = asyncio.create_task(api.wait_for(lambda: api.callback_answers))
    await call("answerCallbackQuery", callback_query_id=query_id, text="Got it")
    assert [a.text for a in await asyncio.wait_for(answered, 1)] == ["Got it"]


async def test_unknown_people_and_messages_are_programming_errors(api: StandIn) -> None:
    api.person(1001, "Alice")
    with pytest.raises(ValueError, match="unknown chat 5"):
        api.send_text(5, 1001, "hi")
    with pytest.raises(ValueError, match="unknown user 7"):
        api.send_text(1001, 7, "hi")
    with pytest.raises(ValueError, match="no message 3"):
        api.press(1001, 1001, 3, "x")
