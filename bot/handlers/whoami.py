"""/whoami: anyone learns their Telegram user id, and in a group the group's id, so an
administrator can fill STAFF_CHAT_ID and STAFF_USER_IDS. Nothing is stored."""

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application, ApplicationHandlerStop, CommandHandler, filters

from bot.handlers.common import lang_of, send
from bot.services import Ctx


async def whoami(update: Update, ctx: Ctx) -> None:
    chat, message = update.effective_chat, update.effective_message
    await send(ctx, chat.id, "whoami", lang=lang_of(update), user_id=update.effective_user.id,
               chat_id=None if chat.type == ChatType.PRIVATE else chat.id,
               anonymous=message.sender_chat is not None)
    raise ApplicationHandlerStop


def register(app: Application, group: int) -> None:
    app.add_handler(CommandHandler("whoami", whoami, filters=filters.UpdateType.MESSAGE), group)
