"""/mydata and /delete: what the consent notice promises a person can do."""

from telegram import Update
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler, CommandHandler, filters

from bot.handlers.common import answer, lang_of, send
from bot.services import Ctx


async def my_data(update: Update, ctx: Ctx) -> None:
    user_id, lang = update.effective_user.id, lang_of(update)
    person = await ctx.repo.people.get(user_id)
    request = await ctx.repo.requests.current(user_id) if person else None
    await ctx.repo.audit.record(user_id, "data_viewed", f"person:{user_id}")
    await send(ctx, update.effective_chat.id, "my_data", lang=lang, person=person,
               request=request, labels=ctx.content.labels(lang))
    raise ApplicationHandlerStop


async def delete(update: Update, ctx: Ctx) -> None:
    labels = ctx.content.labels(lang_of(update))
    await send(ctx, update.effective_chat.id, "delete_confirm", lang=lang_of(update),
               buttons=[[(labels["nav.delete"], "privacy:delete")],
                        [(labels["nav.keep_data"], "privacy:keep")]])
    raise ApplicationHandlerStop


async def on_choice(update: Update, ctx: Ctx) -> None:
    await answer(update)
    user_id, lang = update.effective_user.id, lang_of(update)
    if update.callback_query.data == "privacy:delete":
        await ctx.repo.people.forget(user_id)
        await ctx.repo.audit.record(user_id, "data_deleted", f"person:{user_id}")
        await send(ctx, update.effective_chat.id, "deleted", lang=lang)
    else:
        await send(ctx, update.effective_chat.id, "data_kept", lang=lang)
    raise ApplicationHandlerStop


def register(app, group: int) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("mydata", my_data, filters=private), group)
    app.add_handler(CommandHandler("delete", delete, filters=private), group)
    app.add_handler(CallbackQueryHandler(on_choice, pattern=r"^privacy:(delete|keep)$"), group)
