"""/start and /help over real HTTP, in polling and webhook mode."""

import httpx
import pytest

from bot.standin import parse_html


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_start_and_help(make_bot, api, alice, mode):
    await make_bot(mode)
    await alice.send("/start")
    welcome = await alice.expect("Welcome to Lakeshore Recovery Partners")
    assert [b.text for row in welcome.buttons for b in row] == [
        "Request a consultation", "What is IOP?", "For family members", "🆘 I need help now"]
    await alice.send("/help")
    reply = await alice.expect("24-hour support")
    for contact in ("911", "988", "HOME", "741741", "1-800-662-4357", "(608) 555-0199",
                    "CHESS Connections"):
        assert contact in reply.text


async def test_webhook_rejects_wrong_secret(make_bot, api, alice):
    running = await make_bot("webhook")
    url = running.settings.webhook_url
    assert api.webhook.url == url
    update = {"update_id": 999, "message": {
        "message_id": 1, "date": 0, "chat": {"id": alice.chat_id, "type": "private"},
        "from": alice.user, "text": "/start",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}}
    async with httpx.AsyncClient() as client:
        wrong = await client.post(url, json=update,
                                  headers={"X-Telegram-Bot-Api-Secret-Token": "guess"})
        missing = await client.post(url, json=update)
    assert wrong.status_code == 403
    assert missing.status_code == 403
    await alice.expect_none(timeout=0.5)


async def test_commands_menu_is_set(bot, api):
    assert api.commands, "setMyCommands was never called"
    for commands in api.commands.values():
        assert {"start", "sos", "help", "mydata", "delete"} <= {c["command"] for c in commands}
    assert {lang for _, lang in api.commands} == {"", "es"}


async def test_about_and_family_pages(bot, alice):
    await alice.send("/start")
    await alice.expect("Welcome")
    await alice.click("What is IOP?")
    about = await alice.expect("9 hours a week")
    assert "3 hours a day, 3 days a week" in about.text
    await alice.click("For family members")
    await alice.expect("For family members and loved ones")


async def test_every_bot_message_is_valid_telegram_html(bot, api, alice):
    await alice.send("/start")
    await alice.expect("Welcome")
    for message in api.messages(alice.chat_id):
        parse_html(message.html)


async def test_wording_a_newcomer_tripped_over(bot, api, alice, staff_group, dana):
    await alice.send("/start consult")
    notice = await alice.expect("your privacy")
    assert "Lakeshore Recovery Partners' intake staff" in notice.text
    assert "Partners's" not in notice.text
    await alice.send("/sos")
    sos = await alice.expect("24-hour support")
    assert sos.text.startswith("You reached out, and that matters.")
    assert "Thank you for telling me" not in sos.text
    await alice.send("I want to kill myself")
    told = await alice.expect("988")
    assert told.text.startswith("Thank you for telling me.")
    await dana.send("/enroll Maya R.")
    token = (await staff_group.expect("Invite link")).text.split("start=inv_")[1].split()[0]
    maya = api.person(1009, "Maya")
    await maya.send(f"/start inv_{token}")
    await maya.expect("Welcome to the program")
    await maya.send("/schedule")
    schedule = await maya.expect("Your next sessions")
    assert schedule.text.startswith("Your next sessions (Central Time)\n• Group session: Fri")
    assert "America/Chicago" not in schedule.text
