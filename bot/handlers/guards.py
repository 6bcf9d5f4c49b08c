"""Input the bot cannot read gets a kind reply here, before any feature sees it."""

from telegram import Update
from telegram.ext import ApplicationHandlerStop, MessageHandler, filters

from bot.handlers.common import lang_of, send
from bot.services import Ctx

UNREADABLE = filters.ChatType.PRIVATE & ~filters.TEXT & ~filters.StatusUpdate.ALL


async def unreadable(update: Update, ctx: Ctx) -> None:
    await send(ctx, update.effective_chat.id, "unreadable", lang=lang_of(update))
    raise ApplicationHandlerStop


def register(app, group: int) -> None:
    app.add_handler(MessageHandler(UNREADABLE & filters.UpdateType.MESSAGE, unreadable), group)
