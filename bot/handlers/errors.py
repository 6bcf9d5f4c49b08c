"""One error handler: the update id and the traceback, never what the person wrote."""

import logging

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.handlers.common import lang_of, send
from bot.services import Ctx

log = logging.getLogger("bot.errors")


async def on_error(update: object, ctx: Ctx) -> None:
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("error while handling update %s", update_id, exc_info=ctx.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.effective_chat.type != "private":
        raise ApplicationHandlerStop
    try:
        await send(ctx, update.effective_chat.id, "error", lang=lang_of(update))
    except Exception:
        log.exception("could not tell chat about the error in update %s", update_id)
    raise ApplicationHandlerStop
