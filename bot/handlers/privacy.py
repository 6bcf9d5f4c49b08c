"""/mydata and /delete: what the consent notice promises a person can do."""

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, CommandHandler, filters

from bot.handlers.buttons import Privacy
from bot.handlers.clients import kinds
from bot.handlers.common import answer, edit_message, lang_of, send
from bot.services import Ctx

log = logging.getLogger(__name__)


async def my_data(update: Update, ctx: Ctx) -> None:
    """Everything held about the person: consent, request, client record, safety records."""
    user_id, lang, repo = update.effective_user.id, lang_of(update), ctx.repo
    person = await repo.people.get(user_id)
    request = await repo.requests.current(user_id) if person else None
    client = await repo.clients.of_user(user_id)
    events = await repo.safety.of_user(user_id)
    disclosures = await repo.safety.disclosures(user_id)
    sessions = await repo.sessions.of_client(client.id) if client else []
    lessons = await repo.clients.lessons(client.id) if client else []
    if person or client or events:
        await repo.audit.record(user_id, "data_viewed", f"person:{user_id}")
    titles = {lesson.id: lesson.title for lesson in ctx.services.library.curriculum(lang)}
    await send(ctx, update.effective_chat.id, "my_data", lang=lang, person=person,
               request=request, client=client, sessions=sessions, lessons=lessons,
               events=events, disclosures=disclosures, titles=titles, kinds=kinds(ctx, lang),
               labels=ctx.content.labels(lang))
    raise ApplicationHandlerStop


async def delete(update: Update, ctx: Ctx) -> None:
    labels = ctx.content.labels(lang_of(update))
    await send(ctx, update.effective_chat.id, "delete_confirm", lang=lang_of(update),
               buttons=[[(labels["nav.delete"], Privacy("delete"))],
                        [(labels["nav.keep_data"], Privacy("keep"))]])
    raise ApplicationHandlerStop


async def on_choice(update: Update, ctx: Ctx) -> None:
    await answer(update)
    user_id, lang = update.effective_user.id, lang_of(update)
    if Privacy.of(update).choice == "delete":
        await forget(ctx, user_id)
        client = await ctx.repo.clients.of_user(user_id)
        if client is not None:
            await ctx.repo.clients.unbind(client.id)
            await ctx.repo.audit.record(user_id, "telegram_unbound", f"client:{client.id}")
        if not await ctx.repo.checkpoint():
            log.warning("the WAL checkpoint after a deletion was incomplete")
        await send(ctx, update.effective_chat.id, "deleted", lang=lang, client=client)
        staff_chat = ctx.services.settings.staff_chat_id
        if client is not None and staff_chat is not None:
            await send(ctx, staff_chat, "data_deleted_staff", client=client, request=None)
    else:
        await send(ctx, update.effective_chat.id, "data_kept", lang=lang)
    raise ApplicationHandlerStop


async def forget(ctx: Ctx, user_id: int) -> None:
    """Erase the person and any request; staff hear of a withdrawn request."""
    person = await ctx.repo.people.get(user_id)
    if person is None:
        return
    request = await ctx.repo.requests.current(user_id)
    await ctx.repo.people.forget(user_id)
    await ctx.repo.audit.record(user_id, "data_deleted", f"person:{user_id}")
    if request is None or request.alert_chat_id is None:
        return
    try:
        await edit_message(ctx, request.alert_chat_id, request.alert_message_id,
                           "staff_alert_withdrawn", number=request.id)
    except TelegramError:
        log.warning("the alert for request %s could not be cleared", request.id)
    await send(ctx, request.alert_chat_id, "data_deleted_staff", client=None, request=request)


def register(app, group: int) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("mydata", my_data, filters=private), group)
    app.add_handler(CommandHandler("delete", delete, filters=private), group)
    app.add_handler(Privacy.handler(on_choice), group)
