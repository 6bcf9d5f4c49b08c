"""One error handler: the update id, the exception type and the stack, never what the person
wrote (see bot/logs.py)."""

import logging

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.handlers import safety
from bot.handlers.common import lang_of, send
from bot.logs import describe
from bot.services import Ctx

log = logging.getLogger("bot.errors")


async def on_error(update: object, ctx: Ctx) -> None:
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("error while handling update %s: %s", update_id, describe(ctx.error))
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.effective_chat.type != "private" or safety.fired(ctx, update):
        raise ApplicationHandlerStop
    try:
        await send(ctx, update.effective_chat.id, "error", lang=lang_of(update))
    except Exception as exc:
        log.error("could not tell chat about the error in update %s: %s", update_id,
                  type(exc).__name__)
    raise ApplicationHandlerStop
