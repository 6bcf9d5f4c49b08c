"""The safety path: contacts first, from any state, whatever else is failing."""

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.handlers.common import answer, lang_of, send
from bot.services import Ctx

FIRED = "safety_fired"


def mark_fired(ctx: Ctx, update: Update) -> None:
    recent = ctx.chat_data.setdefault(FIRED, [])
    recent.append(update.update_id)
    del recent[:-20]


def fired(ctx: Ctx, update: Update) -> bool:
    """True when the gate already answered this update, so later handlers stay quiet."""
    return ctx.chat_data is not None and update.update_id in ctx.chat_data.get(FIRED, ())


async def contacts(update: Update, ctx: Ctx) -> None:
    await answer(update)
    await send(ctx, update.effective_chat.id, "sos", lang=lang_of(update), urgent=True)


async def help_command(update: Update, ctx: Ctx) -> None:
    await send(ctx, update.effective_chat.id, "help", lang=lang_of(update), urgent=True)


def register(app: Application, group: int) -> None:
    app.add_handler(CommandHandler(["sos", "crisis"], contacts), group)
    app.add_handler(CommandHandler("help", help_command), group)
    app.add_handler(CallbackQueryHandler(contacts, pattern=r"^sos$"), group)
