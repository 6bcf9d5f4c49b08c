"""The stand-in as PTB's own HTTP stack sees it."""

import socket
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, RetryAfter
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler

from bot.standin import FloodLimits, StandIn
from tests.standin.conftest import TOKEN

AGREE = InlineKeyboardMarkup([[InlineKeyboardButton("Agree", callback_data="agree")]])


@pytest.fixture
async def bot(api: StandIn) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=api.base_url) as bot:
        yield bot


async def test_initialize_and_get_me(api: StandIn, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username) == (123456, True, "iop_companion_bot")
    assert bot.username == "iop_companion_bot"
    assert api.calls[0][0] == "getMe"


async def test_wrong_token_is_invalid(api: StandIn) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("654321:OTHER", base_url=api.base_url):
            pass


async def test_send_and_edit_round_trip(api: StandIn, bot: Bot) -> None:
    api.person(1001, "Alice")
    html = '<b>Hi</b> Alice, <i>read</i> the <a href="https://example.org/">rules</a> 😀'
    sent = await bot.send_message(1001, html, parse_mode="HTML", reply_markup=AGREE)
    assert sent.text == "Hi Alice, read the rules 😀"
    assert sent.text_html == html
    assert sent.reply_markup == AGREE
    assert sent.from_user.id == 123456
    edited = await bot.edit_message_text("Done", chat_id=1001, message_id=sent.message_id)
    assert (edited.message_id, edited.text, edited.reply_markup) == (sent.message_id, "Done", None)
    assert edited.edit_date is not None


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"text": "x" * 4097}, "Message is too long"),
        ({"text": "<b>oops", "parse_mode": "HTML"}, "Can't parse entities: can't find end tag"),
        (
            {
                "text": "x",
                "reply_markup": InlineKeyboardMarkup(
                    [[InlineKeyboardButton("B", callback_data="d" * 65)]]
                ),
            },
            "Button_data_invalid",
        ),
        ({"chat_id": 5, "text": "x"}, "Chat not found"),
    ],
)
async def test_bad_requests_raise(api: StandIn, bot: Bot, kwargs: dict, error: str) -> None:
    api.person(1001, "Alice")
    with pytest.raises(BadRequest, match=error):
        await bot.send_message(**{"chat_id": 1001} | kwargs)


async def test_blocked_user_raises_forbidden(api: StandIn, bot: Bot) -> None:
    api.person(1001, "Alice")
    api.block(1001)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(1001, "hi")


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_flood_raises_retry_after(api: StandIn, bot: Bot) -> None:
    api.person(1001, "Alice")
    api.flood_limits = FloodLimits()
    await bot.send_message(1001, "one")
    with pytest.raises(RetryAfter, match="Retry in 1 seconds"):
        await bot.send_message(1001, "two")
    assert api.stats.too_many_requests == 1


async def test_get_updates_with_a_webhook_conflicts(bot: Bot) -> None:
    await bot.set_webhook("http://127.0.0.1:1/hook")
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()


def _consent_app(api: StandIn) -> Application:
    async def start(update: Update, _: object) -> None:
        await update.message.reply_html("<b>Welcome</b>! Do you agree?", reply_markup=AGREE)

    async def agree(update: Update, _: object) -> None:
        await update.callback_query.answer("Thanks")
        await update.callback_query.edit_message_text("Agreed ✅")

    app = ApplicationBuilder().token(TOKEN).base_url(api.base_url).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(agree))
    return app


async def _converse(api: StandIn) -> None:
    alice = api.person(1001, "Alice")
    await alice.send("/start")
    welcome = await alice.expect("welcome")
    await alice.click("Agree")
    agreed = await alice.expect("agreed")
    assert agreed.message_id == welcome.message_id
    assert (agreed.edits, agreed.buttons) == (1, [])
    assert [a.text for a in api.callback_answers] == ["Thanks"]


async def test_application_long_polling(api: StandIn) -> None:
    app = _consent_app(api)
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            await _converse(api)
        finally:
            await app.updater.stop()
            await app.stop()


async def test_application_webhook_with_secret(api: StandIn) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = _consent_app(api)
    async with app:
        await app.start()
        await app.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="hook",
            webhook_url=f"http://127.0.0.1:{port}/hook",
            secret_token="s3cret",
        )
        try:
            await _converse(api)
        finally:
            await app.updater.stop()
            await app.stop()
    assert api.stats.webhook_deliveries == 2
    assert api.webhook.last_error_message is None
