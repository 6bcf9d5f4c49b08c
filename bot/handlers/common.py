"""Small helpers every handler uses: sending templates, keyboards, who is asking."""

import logging

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import filters

from bot.config import Settings
from bot.handlers.buttons import Button
from bot.limiter import URGENT
from bot.services import Ctx

log = logging.getLogger(__name__)

Rows = list[list[tuple[str, Button]]]


def packed(rows: Rows) -> list[list[tuple[str, str]]]:
    return [[(text, button.pack()) for text, button in row] for row in rows]


def keyboard(rows: Rows) -> InlineKeyboardMarkup:
    return markup(packed(rows))


def markup(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows])


def lang_of(update: Update) -> str | None:
    user = update.effective_user
    return user.language_code if user else None


async def send(ctx: Ctx, chat_id: int, name: str, /, *, lang: str | None = None,
               buttons: Rows | None = None, urgent: bool = False, force_reply: bool = False,
               **values: object) -> Message | None:
    """Render a template and send it; the keyboard goes on the last part.

    Returns None when the person has blocked the bot: that is recorded, not raised.
    """
    parts = ctx.content.parts(name, lang, **values)
    extra = {"rate_limit_args": URGENT} if urgent else {}
    markup = ForceReply(selective=True) if force_reply else keyboard(buttons) if buttons else None
    sent = None
    try:
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            sent = await ctx.bot.send_message(chat_id, part, reply_markup=markup if last else None,
                                              **extra)
    except Forbidden:
        log.info("chat %s has blocked the bot", chat_id)
        await blocked(ctx, chat_id)
        return None
    return sent


async def edit_message(ctx: Ctx, chat_id: int, message_id: int, name: str, /, *,
                       lang: str | None = None, buttons: Rows | None = None,
                       **values: object) -> None:
    text = ctx.content.render(name, lang, **values)
    try:
        await ctx.bot.edit_message_text(text, chat_id=chat_id, message_id=message_id,
                                        reply_markup=keyboard(buttons) if buttons else None)
    except BadRequest as exc:
        if "not modified" not in exc.message:
            raise


async def blocked(ctx: Ctx, chat_id: int) -> None:
    if chat_id < 0 or ctx.services.repo is None:
        return
    if await ctx.repo.people.mark_unreachable(chat_id):
        await ctx.repo.audit.record(None, "unreachable", f"person:{chat_id}")


async def answer(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    """Answer a button press; a press that is too old to answer is not an error."""
    query = update.callback_query
    if query is None:
        return
    try:
        await query.answer(text, show_alert=alert)
    except TelegramError:
        log.debug("callback query %s could not be answered", query.id)


def staff_chats(settings: Settings) -> filters.BaseFilter:
    """Where staff commands are accepted: private chats and the staff group only."""
    where = filters.ChatType.PRIVATE
    if settings.staff_chat_id is not None:
        where = where | filters.Chat(settings.staff_chat_id)
    return where
