from telegram import Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    filters,
)

from bot.handlers import clients, intake
from bot.handlers.common import answer, lang_of, send
from bot.services import Ctx


def menu(ctx: Ctx, lang: str | None) -> list[list[tuple[str, str]]]:
    label = ctx.content.labels(lang)
    return [
        [(label["menu.consult"], "menu:consult")],
        [(label["menu.iop"], "menu:iop"), (label["menu.family"], "menu:family")],
        [(label["menu.sos"], "sos")],
    ]


async def start(update: Update, ctx: Ctx) -> None:
    """`/start`, or a deep link: `consult` opens a request, `ref_<code>` records a referrer,
    `inv_<token>` binds an enrolled client. A client who sent /stop is resumed."""
    payload = ctx.args[0] if ctx.args else ""
    client = await ctx.repo.clients.of_user(update.effective_user.id)
    if client is not None and client.stopped:
        await clients.resume(update, ctx, client)
    if payload.startswith("inv_"):
        await clients.redeem(update, ctx, payload[4:])
    elif payload == "consult":
        await intake.begin(update, ctx)
    elif payload.startswith("ref_") and intake.REFERRAL.match(payload[4:]):
        await intake.begin(update, ctx, referral=payload[4:])
    else:
        lang = lang_of(update)
        await send(ctx, update.effective_chat.id, "welcome", lang=lang, buttons=menu(ctx, lang))
    raise ApplicationHandlerStop


async def about(update: Update, ctx: Ctx) -> None:
    await answer(update)
    lang = lang_of(update)
    name = "about_iop" if update.callback_query.data == "menu:iop" else "family_info"
    await send(ctx, update.effective_chat.id, name, lang=lang, buttons=menu(ctx, lang))
    raise ApplicationHandlerStop


def register(app: Application, group: int) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("start", start, filters=private), group)
    app.add_handler(CallbackQueryHandler(about, pattern=r"^menu:(iop|family)$"), group)
