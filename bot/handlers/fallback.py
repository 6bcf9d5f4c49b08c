"""Last in line: text and buttons no flow claimed still get a kind, useful answer."""

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.handlers import buttons, safety
from bot.handlers.common import answer, lang_of, send
from bot.handlers.menus import menu_for
from bot.services import Ctx


async def unknown_text(update: Update, ctx: Ctx) -> None:
    if (safety.fired(ctx, update) or safety.checked(ctx, update)
            or await safety.typed_safe(update, ctx)):
        return
    lang = lang_of(update)
    await send(ctx, update.effective_chat.id, "not_understood", lang=lang,
               buttons=await menu_for(ctx, update.effective_user.id, lang))


async def stale_button(update: Update, ctx: Ctx) -> None:
    """A toast for any press no flow took; the menu too for an old button of ours in a
    private chat. Empty, missing or forged data gets the toast alone."""
    await answer(update, ctx.content.label("notice.stale", lang_of(update)))
    chat = update.effective_chat
    if chat and chat.type == "private" and buttons.ours(update.callback_query.data):
        lang = lang_of(update)
        await send(ctx, chat.id, "stale_button", lang=lang,
                   buttons=await menu_for(ctx, update.effective_user.id, lang))


def register(app, group: int) -> None:
    private_text = filters.ChatType.PRIVATE & filters.TEXT & filters.UpdateType.MESSAGE
    app.add_handler(MessageHandler(private_text, unknown_text), group)
    app.add_handler(CallbackQueryHandler(stale_button), group)
