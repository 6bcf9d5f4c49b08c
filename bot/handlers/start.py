from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, CommandHandler, filters

from bot.handlers import clients, intake
from bot.handlers.buttons import About
from bot.handlers.common import answer, lang_of, send
from bot.handlers.menus import client_menu, menu
from bot.services import Ctx


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
        await send(ctx, update.effective_chat.id, "welcome", lang=lang, client=client,
                   buttons=client_menu(ctx, lang) if client else menu(ctx, lang))
    raise ApplicationHandlerStop


async def about(update: Update, ctx: Ctx) -> None:
    await answer(update)
    lang = lang_of(update)
    name = "about_iop" if About.of(update).page == "iop" else "family_info"
    await send(ctx, update.effective_chat.id, name, lang=lang, buttons=menu(ctx, lang))
    raise ApplicationHandlerStop


def register(app: Application, group: int) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("start", start, filters=private), group)
    app.add_handler(About.handler(about), group)
