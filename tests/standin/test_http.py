import asyncio
import json

import httpx
import pytest

from bot.standin import Button, StandIn
from tests.standin.conftest import TOKEN, Call

KEYBOARD = {"inline_keyboard": [[{"text": "Yes", "callback_data": "yes"}]]}


def bad(description: str, code: int = 400) -> dict:
    return {"ok": False, "error_code": code, "description": description}


async def test_wrong_token_and_unknown_method(api: StandIn) -> None:
    async with httpx.AsyncClient() as client:
        wrong = await client.post(f"{api.base_url}999:WRONG/getMe")
        unknown = await client.post(f"{api.base_url}{TOKEN}/sendTelepathy")
        elsewhere = await client.get(api.base_url.removesuffix("/bot") + "/favicon.ico")
    assert (wrong.status_code, wrong.json()) == (401, bad("Unauthorized", 401))
    assert (unknown.status_code, unknown.json()) == (404, bad("Not Found", 404))
    assert (elsewhere.status_code, elsewhere.json()) == (404, bad("Not Found", 404))


async def test_get_me_ignores_method_case(call: Call) -> None:
    status, body = await call("GETME")
    assert status == 200
    assert body["result"]["id"] == 123456
    assert body["result"]["is_bot"] is True


async def test_get_chat_knows_only_chats_the_bot_is_in(api: StandIn, call: Call) -> None:
    api.group(-1001, "Staff")
    status, body = await call("getChat", chat_id=-1001)
    assert status == 200
    assert (body["result"]["type"], body["result"]["title"]) == ("supergroup", "Staff")
    status, body = await call("getChat", chat_id=42)
    assert (status, body["description"]) == (400, "Bad Request: chat not found")


@pytest.mark.parametrize("encoding", ["query", "form", "multipart", "json"])
async def test_accepts_every_request_encoding(api: StandIn, encoding: str) -> None:
    api.person(1001, "Alice")
    params = {"chat_id": 1001, "text": "<b>hi</b>", "parse_mode": "HTML"}
    form = params | {"reply_markup": json.dumps(KEYBOARD)}
    kwargs = {
        "query": {"params": form},
        "form": {"data": form},
        "multipart": {"data": form, "files": {"unused": ("a.txt", b"x")}},
        "json": {"json": params | {"reply_markup": KEYBOARD}},
    }[encoding]
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{api.base_url}{TOKEN}/sendMessage", **kwargs)
    message = response.json()["result"]
    assert message["text"] == "hi"
    assert message["entities"] == [{"type": "bold", "offset": 0, "length": 2}]
    assert message["reply_markup"] == KEYBOARD
    assert api.messages(1001)[0].buttons[0][0].callback_data == "yes"


async def test_sent_message_is_a_telegram_message(api: StandIn, call: Call) -> None:
    await api.person(1001, "Alice", username="alice").send("hi")
    status, body = await call("sendMessage", chat_id=1001, text="Hello")
    message = body["result"]
    assert status == 200
    assert message["message_id"] == 2
    assert isinstance(message["date"], int)
    assert message["chat"] == {
        "id": 1001,
        "type": "private",
        "first_name": "Alice",
        "username": "alice",
    }
    assert message["from"] == {
        "id": 123456,
        "is_bot": True,
        "first_name": "IOP Companion",
        "username": "iop_companion_bot",
    }
    assert "entities" not in message and "reply_markup" not in message


async def test_text_length_counts_visible_utf16_units(api: StandIn, call: Call) -> None:
    api.person(1001, "Alice")
    too_long = bad("Bad Request: message is too long")
    assert (await call("sendMessage", chat_id=1001, text="a" * 4096))[0] == 200
    assert await call("sendMessage", chat_id=1001, text="a" * 4097) == (400, too_long)
    tagged = "<b>" + "a" * 4000 + "</b><i>" + "&amp;" * 96 + "</i>"
    assert (await call("sendMessage", chat_id=1001, text=tagged, parse_mode="HTML"))[0] == 200
    assert (await call("sendMessage", chat_id=1001, text="😀" * 2048))[0] == 200
    assert await call("sendMessage", chat_id=1001, text="😀" * 2049) == (400, too_long)


@pytest.mark.parametrize(("text", "mode"), [("", None), (" \n\t ", None), ("<b> </b>\n", "HTML")])
async def test_empty_text_is_refused(api: StandIn, call: Call, text: str, mode: str | None) -> None:
    api.person(1001, "Alice")
    params = {"parse_mode": mode} if mode else {}
    result = await call("sendMessage", chat_id=1001, text=text, **params)
    assert result == (400, bad("Bad Request: message text is empty"))


async def test_surrounding_whitespace_is_trimmed_with_entities(api: StandIn, call: Call) -> None:
    api.person(1001, "Alice")
    _, body = await call("sendMessage", chat_id=1001, text="\n <b> hi</b> \n", parse_mode="HTML")
    assert body["result"]["text"] == "hi"
    assert body["result"]["entities"] == [{"type": "bold", "offset": 0, "length": 2}]


async def test_plain_and_markdown_text_is_literal(api: StandIn, call: Call) -> None:
    api.person(1001, "Alice")
    _, plain = await call("sendMessage", chat_id=1001, text="<b>1 < 2 & 3</b>")
    _, markdown = await call("sendMessage", chat_id=1001, text="*hi*", parse_mode="MarkdownV2")
    assert plain["result"]["text"] == "<b>1 < 2 & 3</b>"
    assert markdown["result"]["text"] == "*hi*"


@pytest.mark.parametrize(
    ("html", "detail"),
    [
        ("<b>unclosed", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<marquee>x</marquee>", 'Unsupported start tag "marquee" at byte offset 0'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
    ],
)
async def test_broken_html_is_refused(api: StandIn, call: Call, html: str, detail: str) -> None:
    api.person(1001, "Alice")
    result = await call("sendMessage", chat_id=1001, text=html, parse_mode="HTML")
    assert result == (400, bad(f"Bad Request: can't parse entities: {detail}"))
    assert api.messages(1001) == []
    assert api.errors == [("sendMessage", result[1])]


@pytest.mark.parametrize(
    ("data", "ok"),
    [("x" * 64, True), ("x" * 65, False), ("é" * 32, True), ("é" * 33, False), ("", False)],
)
async def test_callback_data_is_1_to_64_bytes(
    api: StandIn, call: Call, data: str, ok: bool
) -> None:
    api.person(1001, "Alice")
    markup = {"inline_keyboard": [[{"text": "B", "callback_data": data}]]}
    status, body = await call("sendMessage", chat_id=1001, text="t", reply_markup=markup)
    expected = (200, None) if ok else (400, "Bad Request: BUTTON_DATA_INVALID")
    assert (status, body.get("description")) == expected


@pytest.mark.parametrize(
    ("button", "error"),
    [
        (
            {"text": "B"},
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
        ),
        (
            {"text": "B", "callback_data": "b", "url": "https://x.org"},
            "can't parse inline keyboard button: only one action field is allowed",
        ),
        (
            {"text": "B", "url": "ftp://x.org"},
            "inline keyboard button URL 'ftp://x.org' is invalid: Unsupported URL protocol",
        ),
        (
            {"callback_data": "b"},
            'can\'t parse inline keyboard button: Field "text" must be of type String',
        ),
    ],
)
async def test_invalid_buttons_are_refused(
    api: StandIn, call: Call, button: dict, error: str
) -> None:
    api.person(1001, "Alice")
    markup = {"inline_keyboard": [[button]]}
    result = await call("sendMessage", chat_id=1001, text="t", reply_markup=markup)
    assert result == (400, bad(f"Bad Request: {error}"))


@pytest.mark.parametrize(
    "url", ["https://x.org/a?b=c", "http://127.0.0.1:8080", "tg://resolve?domain=x"]
)
async def test_url_buttons_accept_http_and_tg(api: StandIn, call: Call, url: str) -> None:
    api.person(1001, "Alice")
    markup = {"inline_keyboard": [[{"text": "Open", "url": url}]]}
    assert (await call("sendMessage", chat_id=1001, text="t", reply_markup=markup))[0] == 200
    assert api.messages(1001)[0].buttons == [[Button("Open", url=url)]]


async def test_unknown_chat(call: Call) -> None:
    not_found = (400, bad("Bad Request: chat not found"))
    assert await call("sendMessage", chat_id=42, text="hi") == not_found
    assert await call("sendMessage", chat_id="@nobody", text="hi") == not_found
    assert await call("sendMessage", text="hi") == (400, bad("Bad Request: chat_id is empty"))


async def test_blocked_user_gets_403_until_unblocked(api: StandIn, call: Call) -> None:
    alice = api.person(1001, "Alice")
    _, sent = await call("sendMessage", chat_id=1001, text="before")
    update = api.block(1001)
    blocked = (403, bad("Forbidden: bot was blocked by the user", 403))
    assert update["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    assert await call("sendMessage", chat_id=1001, text="hi") == blocked
    message_id = sent["result"]["message_id"]
    assert await call("editMessageText", chat_id=1001, message_id=message_id, text="x") == blocked
    await alice.send("/start")
    assert (await call("sendMessage", chat_id=1001, text="welcome back"))[0] == 200


async def test_edit_message_text(api: StandIn, call: Call) -> None:
    api.person(1001, "Alice")
    _, sent = await call("sendMessage", chat_id=1001, text="Choose", reply_markup=KEYBOARD)
    message_id = sent["result"]["message_id"]
    status, edited = await call(
        "editMessageText",
        chat_id=1001,
        message_id=message_id,
        text="<i>Chosen</i>",
        parse_mode="HTML",
    )
    assert status == 200
    assert edited["result"]["text"] == "Chosen"
    assert "reply_markup" not in edited["result"]
    assert isinstance(edited["result"]["edit_date"], int)
    [message] = api.messages(1001)
    assert (message.text, message.html, message.edits, message.buttons) == (
        "Chosen",
        "<i>Chosen</i>",
        1,
        [],
    )


async def test_edit_errors(api: StandIn, call: Call) -> None:
    alice = api.person(1001, "Alice")
    _, sent = await call("sendMessage", chat_id=1001, text="Same", reply_markup=KEYBOARD)
    message_id = sent["result"]["message_id"]
    not_modified = bad(
        "Bad Request: message is not modified: specified new message content and reply markup are "
        "exactly the same as a current content and reply markup of the message"
    )
    same = {"chat_id": 1001, "message_id": message_id, "reply_markup": KEYBOARD}
    assert await call("editMessageText", **same, text="Same") == (400, not_modified)
    bold = {"text": "<b>Same</b>", "parse_mode": "HTML"}
    assert (await call("editMessageText", **same, **bold))[0] == 200
    markup = {"chat_id": 1001, "message_id": message_id, "reply_markup": KEYBOARD}
    assert await call("editMessageReplyMarkup", **markup) == (400, not_modified)
    missing = (400, bad("Bad Request: message to edit not found"))
    assert await call("editMessageText", chat_id=1001, message_id=99, text="x") == missing
    own = (await alice.send("mine"))["message"]["message_id"]
    not_editable = (400, bad("Bad Request: message can't be edited"))
    assert await call("editMessageText", chat_id=1001, message_id=own, text="x") == not_editable


async def test_delete_message(api: StandIn, call: Call) -> None:
    alice = api.person(1001, "Alice")
    _, sent = await call("sendMessage", chat_id=1001, text="bye")
    message_id = sent["result"]["message_id"]
    incoming = (await alice.send("delete me"))["message"]["message_id"]
    assert await call("deleteMessage", chat_id=1001, message_id=message_id) == (
        200,
        {"ok": True, "result": True},
    )
    assert (await call("deleteMessage", chat_id=1001, message_id=incoming))[0] == 200
    gone = (400, bad("Bad Request: message to delete not found"))
    assert await call("deleteMessage", chat_id=1001, message_id=message_id) == gone
    assert api.messages(1001)[0].deleted
    edit = await call("editMessageText", chat_id=1001, message_id=message_id, text="x")
    assert edit == (400, bad("Bad Request: message to edit not found"))


async def test_answer_callback_query_once_and_in_time(api: StandIn, call: Call, clock) -> None:
    alice = api.person(1001, "Alice")
    await call("sendMessage", chat_id=1001, text="Choose", reply_markup=KEYBOARD)
    first = (await alice.click("Yes"))["callback_query"]["id"]
    late = (await alice.click("Yes"))["callback_query"]["id"]
    too_old = (
        400,
        bad("Bad Request: query is too old and response timeout expired or query ID is invalid"),
    )
    answer = {"callback_query_id": first, "text": "Noted", "show_alert": True}
    assert await call("answerCallbackQuery", **answer) == (200, {"ok": True, "result": True})
    assert await call("answerCallbackQuery", callback_query_id=first) == too_old
    assert await call("answerCallbackQuery", callback_query_id="nope") == too_old
    clock.now += 16
    assert await call("answerCallbackQuery", callback_query_id=late) == too_old
    assert [(a.query_id, a.text, a.show_alert) for a in api.callback_answers] == [
        (first, "Noted", True)
    ]


async def test_commands_actions_and_trivial_methods(api: StandIn, call: Call) -> None:
    api.person(1001, "Alice")
    commands = [{"command": "start", "description": "Start"}]
    assert await call("setMyCommands", commands=commands) == (200, {"ok": True, "result": True})
    assert (await call("getMyCommands"))[1]["result"] == commands
    assert (await call("getMyCommands", language_code="de"))[1]["result"] == []
    assert (await call("deleteMyCommands"))[0] == 200
    assert (await call("getMyCommands"))[1]["result"] == []
    invalid = [{"command": "Start!", "description": "x"}]
    assert await call("setMyCommands", commands=invalid) == (
        400,
        bad("Bad Request: BOT_COMMAND_INVALID"),
    )
    assert (await call("sendChatAction", chat_id=1001, action="typing"))[1]["result"] is True
    wrong = (400, bad("Bad Request: wrong parameter action in request"))
    assert await call("sendChatAction", chat_id=1001, action="dancing") == wrong
    assert (await call("close"))[1]["result"] is True
    assert (await call("logOut"))[1]["result"] is True


async def test_calls_and_stats_are_recorded(api: StandIn, call: Call) -> None:
    api.person(1001, "Alice")
    await call("sendMessage", chat_id=1001, text="one")
    await call("sendMessage", chat_id=7, text="two")
    assert api.calls == [
        ("sendMessage", {"chat_id": "1001", "text": "one"}),
        ("sendMessage", {"chat_id": "7", "text": "two"}),
    ]
    assert api.errors == [("sendMessage", bad("Bad Request: chat not found"))]
    assert (api.stats.requests, api.stats.messages_sent) == (2, 1)


async def test_long_poll_returns_when_an_update_arrives(api: StandIn, call: Call) -> None:
    alice = api.person(1001, "Alice")
    poll = asyncio.create_task(call("getUpdates", timeout=5))
    await asyncio.sleep(0.05)
    assert not poll.done()
    started = asyncio.get_running_loop().time()
    await alice.send("/start")
    _, body = await asyncio.wait_for(poll, 1)
    assert asyncio.get_running_loop().time() - started < 0.5
    [update] = body["result"]
    assert update["message"]["text"] == "/start"
    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]


async def test_long_poll_times_out_empty(call: Call) -> None:
    started = asyncio.get_running_loop().time()
    assert await call("getUpdates", timeout=0.1) == (200, {"ok": True, "result": []})
    assert asyncio.get_running_loop().time() - started >= 0.1


async def test_offset_and_limit(api: StandIn, call: Call) -> None:
    alice = api.person(1001, "Alice")
    ids = [(await alice.send(str(n)))["update_id"] for n in range(4)]
    assert [u["update_id"] for u in (await call("getUpdates", limit=2))[1]["result"]] == ids[:2]
    assert [u["update_id"] for u in (await call("getUpdates", offset=ids[2]))[1]["result"]] == ids[
        2:
    ]
    assert [u["update_id"] for u in (await call("getUpdates"))[1]["result"]] == ids[2:]
    assert [u["update_id"] for u in (await call("getUpdates", offset=-1))[1]["result"]] == ids[3:]
    assert (await call("getUpdates", offset=ids[3] + 1))[1]["result"] == []


async def test_allowed_updates_are_remembered(api: StandIn, call: Call) -> None:
    alice = api.person(1001, "Alice")
    await call("sendMessage", chat_id=1001, text="Choose", reply_markup=KEYBOARD)
    await call("getUpdates", allowed_updates=["callback_query"])
    await alice.send("ignored")
    await alice.click("Yes")
    [update] = (await call("getUpdates"))[1]["result"]
    assert update["callback_query"]["data"] == "yes"
    await call("getUpdates", offset=update["update_id"] + 1, allowed_updates=[])
    await alice.send("seen")
    assert [u["message"]["text"] for u in (await call("getUpdates"))[1]["result"]] == ["seen"]


async def test_get_updates_conflicts_with_a_webhook(api: StandIn, call: Call) -> None:
    conflict = bad(
        "Conflict: can't use getUpdates method while webhook is active; "
        "use deleteWebhook to delete the webhook first",
        409,
    )
    assert (await call("setWebhook", url="http://127.0.0.1:9/hook"))[1]["result"] is True
    assert await call("getUpdates") == (409, conflict)
    assert (await call("deleteWebhook"))[0] == 200
    assert (await call("getUpdates"))[0] == 200


async def test_webhook_info_and_drop_pending(api: StandIn, call: Call) -> None:
    alice = api.person(1001, "Alice")
    await alice.send("one")
    info = (await call("getWebhookInfo"))[1]["result"]
    assert info == {"url": "", "has_custom_certificate": False, "pending_update_count": 1}
    await call("deleteWebhook", drop_pending_updates=True)
    assert (await call("getWebhookInfo"))[1]["result"]["pending_update_count"] == 0
