"""/mydata, /consent and /delete: what the consent notice promises a person can do."""

import logging

from telegram import Update
from telegram.ext import ApplicationHandlerStop, CommandHandler, filters

from bot.handlers import intake, staff
from bot.handlers.buttons import Privacy, Revoke
from bot.handlers.clients import kinds
from bot.handlers.common import answer, lang_of, send
from bot.services import Ctx
from bot.storage.requests import ACTIVE, Request, Status

log = logging.getLogger(__name__)


async def my_data(update: Update, ctx: Ctx) -> None:
    """Everything held about the person: consent, request, client record, safety records."""
    user_id, lang, repo = update.effective_user.id, lang_of(update), ctx.repo
    person = await repo.people.get(user_id)
    requests = await repo.requests.of_user(user_id) if person else []
    client = await repo.clients.of_user(user_id)
    events = await repo.safety.of_user(user_id)
    disclosures = await repo.safety.disclosures(user_id)
    sessions = await repo.sessions.of_client(client.id) if client else []
    lessons = await repo.clients.lessons(client.id) if client else []
    if person or client or events:
        await repo.audit.record(user_id, "data_viewed", f"person:{user_id}")
    titles = {lesson.id: lesson.title for lesson in ctx.services.library.curriculum(lang)}
    await send(ctx, update.effective_chat.id, "my_data", lang=lang, person=person,
               requests=requests, client=client, sessions=sessions, lessons=lessons,
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
            await send(ctx, staff_chat, "data_deleted_staff", client=client, request=None,
                       why="deleted")
    else:
        await send(ctx, update.effective_chat.id, "data_kept", lang=lang)
    raise ApplicationHandlerStop


async def forget(ctx: Ctx, user_id: int) -> None:
    """Erase the person and every request of theirs, whatever its status, clearing every
    alert of each; staff hear of a request that was still in play."""
    person = await ctx.repo.people.get(user_id)
    if person is None:
        return
    requests = await ctx.repo.requests.of_user(user_id)
    shown = [await ctx.repo.requests.alerts(request.id) for request in requests]
    await ctx.repo.people.forget(user_id)
    await ctx.repo.audit.record(user_id, "data_deleted", f"person:{user_id}")
    for request, alerts in zip(requests, shown, strict=True):
        if request.status in ACTIVE:
            await withdrawn(ctx, request, alerts, "deleted")
        else:
            await staff.clear(ctx, request.id, alerts, "deleted")


async def withdrawn(ctx: Ctx, request: Request, shown: list[tuple[int, int]], why: str) -> None:
    """Clear the alerts of a request the person took out of staff's hands, and tell each
    chat that showed one why: "deleted" or "revoked"."""
    await staff.clear(ctx, request.id, shown, why, withdrawn=True)
    for chat_id in dict.fromkeys(chat_id for chat_id, _ in shown):
        await send(ctx, chat_id, "data_deleted_staff", client=None, request=request, why=why)


async def consent(update: Update, ctx: Ctx) -> None:
    """/consent: what the person agreed to and when, with a way to revoke or agree again."""
    user_id, lang = update.effective_user.id, lang_of(update)
    person = await ctx.repo.people.get(user_id)
    labels = ctx.content.labels(lang)
    buttons = None
    if person is not None:
        choice = "renew" if person.revoked else "ask"
        buttons = [[(labels[f"nav.consent_{choice}"], Revoke(choice))]]
    await send(ctx, update.effective_chat.id, "consent_status", lang=lang, person=person,
               buttons=buttons)
    raise ApplicationHandlerStop


async def on_revoke(update: Update, ctx: Ctx) -> None:
    """Every press is checked against the stored consent, so a second or stale press
    changes nothing and says so."""
    user_id, lang, chat_id = update.effective_user.id, lang_of(update), update.effective_chat.id
    choice = Revoke.of(update).choice
    async with intake.lock(ctx):
        person = await ctx.repo.people.get(user_id)
        if person is None:
            await answer(update, ctx.content.label("notice.stale", lang))
            raise ApplicationHandlerStop
        if person.revoked != (choice == "renew"):
            state = "revoked" if person.revoked else "consented"
            await answer(update, ctx.content.label(f"notice.{state}", lang))
            raise ApplicationHandlerStop
        await answer(update)
        if choice == "ask":
            labels = ctx.content.labels(lang)
            await send(ctx, chat_id, "revoke_confirm", lang=lang,
                       buttons=[[(labels["nav.revoke"], Revoke("yes"))],
                                [(labels["nav.keep_consent"], Revoke("keep"))]])
        elif choice == "keep":
            await send(ctx, chat_id, "consent_kept", lang=lang)
        elif choice == "renew":
            await intake.renewed(ctx, chat_id, lang, await intake.agree(ctx, user_id, lang))
        elif await ctx.repo.people.revoke(user_id):
            await revoke(ctx, chat_id, user_id, lang)
    raise ApplicationHandlerStop


async def revoke(ctx: Ctx, chat_id: int, user_id: int, lang: str | None) -> None:
    """Stop everything but the safety gate: a draft no one has seen is deleted, a sent
    request withdrawn (its data kept for the retention period), a client's pending reminders
    and lessons cancelled. Staff hear of a withdrawn request or a client's revocation."""
    await ctx.repo.audit.record(user_id, "consent_revoked", f"person:{user_id}")
    request = await ctx.repo.requests.current(user_id)
    if request is not None and request.status is Status.DRAFT:
        await ctx.repo.requests.delete(request.id)
        await ctx.repo.audit.record(user_id, "intake_cancelled", f"request:{request.id}")
        request = None
    elif request is not None:
        if await ctx.repo.requests.withdraw(request.id):
            await ctx.repo.audit.record(user_id, "request_withdrawn", f"request:{request.id}")
            shown = await ctx.repo.requests.alerts(request.id)
            await withdrawn(ctx, request, shown, "revoked")
        else:
            request = None  # staff closed or admitted it meanwhile: nothing was withdrawn
    client = await ctx.repo.clients.of_user(user_id)
    if client is not None:
        await ctx.repo.clients.hold(client.id)
        staff_chat = ctx.services.settings.staff_chat_id
        if staff_chat is not None:
            await send(ctx, staff_chat, "data_deleted_staff", client=client, request=None,
                       why="revoked")
    await send(ctx, chat_id, "consent_revoked", lang=lang, request=request, client=client)


def register(app, group: int) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("mydata", my_data, filters=private), group)
    app.add_handler(CommandHandler("consent", consent, filters=private), group)
    app.add_handler(CommandHandler("delete", delete, filters=private), group)
    app.add_handler(Privacy.handler(on_choice), group)
    app.add_handler(Revoke.handler(on_revoke), group)
