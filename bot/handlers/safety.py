"""The safety path: contacts first, from any state, whatever else is failing.

The reply needs nothing but the pure detector and a template. Recording the event and
paging staff run afterwards, in their own task, so a locked database, a broken staff
template or a slow network can delay the page but never the person's reply.
"""

import asyncio
import logging
from datetime import timedelta

from telegram import Update, User
from telegram.error import NetworkError, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.domain import distress
from bot.handlers.buttons import Ack, Button, Safe, Sos
from bot.handlers.common import answer, keyboard, lang_of, require_staff, send
from bot.services import Ctx

log = logging.getLogger(__name__)

FIRED = "safety_fired"
HELP_REQUESTED = "help_requested"
CONTACT_REQUESTED = "contact_requested"
SEND_TRIES = 3


def mark_fired(ctx: Ctx, update: Update) -> None:
    recent = ctx.chat_data.setdefault(FIRED, [])
    recent.append(update.update_id)
    del recent[:-20]


def fired(ctx: Ctx, update: Update) -> bool:
    """True when the gate already answered this update, so later handlers stay quiet."""
    return ctx.chat_data is not None and update.update_id in ctx.chat_data.get(FIRED, ())


def person_buttons(ctx: Ctx, lang: str | None) -> list[list[tuple[str, Button]]]:
    labels = ctx.content.labels(lang)
    return [[(labels["safety.safe"], Safe("ok"))], [(labels["safety.call"], Safe("call"))]]


async def reply(ctx: Ctx, update: Update, category: str, severity: str) -> bool:
    """Send the contacts, retrying network trouble; True once delivered. Never raises."""
    lang = lang_of(update)
    for attempt in range(SEND_TRIES):
        try:
            sent = await send(ctx, update.effective_chat.id, "crisis", lang=lang, urgent=True,
                              buttons=person_buttons(ctx, lang), category=category,
                              severity=severity)
            return sent is not None
        except NetworkError:
            log.warning("crisis reply failed to send (attempt %s)", attempt + 1)
            await asyncio.sleep(0.5 * 2 ** attempt)
        except Exception:
            log.exception("crisis reply failed for update %s", update.update_id)
            break
    log.error("crisis contacts NOT delivered for update %s", update.update_id)
    return False


def respond(ctx: Ctx, update: Update, category: str, severity: str, rule: str | None,
            quote: str | None, delivered: bool) -> None:
    """Record and page in a task of their own, after the reply."""
    ctx.application.create_task(alert_staff(
        ctx, update.effective_user, lang_of(update), category, severity, rule, quote,
        delivered=delivered))


async def gate(update: Update, ctx: Ctx) -> None:
    message = update.effective_message
    text = message.text or message.caption or ""
    try:
        found = distress.screen(text, ctx.services.detector)
    except Exception:
        log.exception("distress detector failed on update %s", update.update_id)
        return
    if found is None:
        return
    mark_fired(ctx, update)
    delivered = await reply(ctx, update, found.category, found.severity)
    quote = text if ctx.profile.safety.quote_message else None
    respond(ctx, update, found.category, found.severity, found.rule, quote, delivered)
    if message.caption or (message.text or "").startswith("/"):
        raise ApplicationHandlerStop


async def help_now(update: Update, ctx: Ctx) -> None:
    """/sos, /crisis and the "I need help now" button: contacts at once, and staff told."""
    delivered = await reply(ctx, update, HELP_REQUESTED, distress.Severity.CRISIS)
    respond(ctx, update, HELP_REQUESTED, distress.Severity.CRISIS, None, None, delivered)
    await answer(update)
    raise ApplicationHandlerStop


async def help_command(update: Update, ctx: Ctx) -> None:
    await send(ctx, update.effective_chat.id, "help", lang=lang_of(update), urgent=True)
    raise ApplicationHandlerStop


async def alert_staff(ctx: Ctx, user: User, lang: str | None, category: str, severity: str,
                      rule: str | None, quote: str | None, *, delivered: bool = True,
                      follow_up: bool = True, template: str = "safety_page") -> None:
    """Record the event (retrying a busy database), then page. Each half is tried even if
    the other fails: a page without a record still reaches staff."""
    settings = ctx.profile.safety
    event = None
    for attempt in range(SEND_TRIES):
        try:
            event = await ctx.repo.safety.record(
                user.id, category, severity, rule, ctx.content.lang(lang),
                follow_up=timedelta(minutes=settings.follow_up_minutes) if follow_up else None,
                repage=timedelta(minutes=settings.repage_minutes))
            break
        except Exception:
            log.exception("could not record a safety event (attempt %s)", attempt + 1)
            if attempt + 1 < SEND_TRIES:
                await asyncio.sleep(0.5 * 2 ** attempt)
    try:
        await page(ctx, user, event_id=event.id if event else None, category=category,
                   severity=severity, quote=quote, template=template, delivered=delivered)
    except Exception:
        log.exception("could not page staff about a safety event")


async def page(ctx: Ctx, user: User, *, event_id: int | None, category: str, severity: str,
               quote: str | None, template: str, targets: list[int] | None = None,
               delivered: bool = True) -> None:
    number = None
    try:
        request = await ctx.repo.requests.current(user.id)
        number = request.id if request else None
    except Exception:
        log.warning("could not look up the request of a paged person")
    labels = ctx.content.labels()
    buttons = [[(labels["safety.ack"], Ack(event_id))]] if event_id else None
    values = {"user": user, "category": labels.get(f"category.{category}", category),
              "severity": severity, "at": ctx.clock.now(), "quote": quote, "number": number,
              "event_id": event_id, "delivered": delivered}
    for chat_id in targets if targets is not None else page_targets(ctx):
        try:
            sent = await send(ctx, chat_id, template, urgent=True, buttons=buttons, **values)
        except TelegramError:
            log.exception("page to chat %s failed", chat_id)
            continue
        if sent is not None and event_id is not None:
            await ctx.repo.safety.page_sent(event_id, chat_id, sent.message_id)


def page_targets(ctx: Ctx, backup: bool = False) -> list[int]:
    safety = ctx.profile.safety
    targets = [*safety.on_call_user_ids, *(safety.backup_user_ids if backup else [])]
    staff_chat = ctx.services.settings.staff_chat_id
    return ([staff_chat] if staff_chat is not None else []) + targets


async def on_person_button(update: Update, ctx: Ctx) -> None:
    """"I'm safe right now" or "Please have someone contact me"."""
    user, lang = update.effective_user, lang_of(update)
    choice = Safe.of(update).choice
    ctx.application.create_task(record_choice(ctx, user, lang, choice))
    try:
        await send(ctx, update.effective_chat.id, "safe_ok" if choice == "ok" else "safe_call",
                   lang=lang, urgent=True)
    except TelegramError:
        log.warning("could not confirm a safety choice to the person")
    await answer(update)
    raise ApplicationHandlerStop


async def record_choice(ctx: Ctx, user: User, lang: str | None, choice: str) -> None:
    """Note the answer on the latest event; a contact request is a new event of its own, so
    it is re-paged until someone acknowledges it."""
    try:
        event = await ctx.repo.safety.latest(user.id)
        if event is not None:
            await ctx.repo.safety.respond(event.id, "safe" if choice == "ok" else "contact")
    except Exception:
        log.exception("could not record a safety response")
        event = None
    waiting = event is not None and event.category == CONTACT_REQUESTED and not event.acked_at
    if choice == "call" and not waiting:
        await alert_staff(ctx, user, lang, CONTACT_REQUESTED,
                          event.severity if event else distress.Severity.CRISIS, None, None,
                          follow_up=False, template="safety_contact_request")


async def on_ack(update: Update, ctx: Ctx) -> None:
    await require_staff(update, ctx)
    user = update.effective_user
    event_id = Ack.of(update).event
    name = user.full_name or str(user.id)
    first = await ctx.repo.safety.ack(event_id, user.id, name)
    event = await ctx.repo.safety.get(event_id)
    if event is None:
        await answer(update, ctx.content.label("notice.stale"))
        raise ApplicationHandlerStop
    if first:
        await ctx.repo.audit.record(user.id, "safety_ack", f"safety:{event_id}",
                                    actor_name=name)
        await answer(update)
    else:
        await answer(update, ctx.content.label("safety.already").format(name=event.acked_name))
    acked = ctx.content.label("safety.acked").format(
        name=event.acked_name, time=ctx.content.local_time(event.acked_at))
    done = keyboard([[(acked, Ack(event_id))]])
    for chat_id, message_id in await ctx.repo.safety.pages_of(event_id):
        try:
            await ctx.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=done)
        except TelegramError:
            log.info("page %s in chat %s could not be updated", message_id, chat_id)
    raise ApplicationHandlerStop


async def tick(ctx: Ctx) -> None:
    """Re-page unacknowledged events and ask once "Are you safe?"; state lives in rows."""
    if ctx.services.repo is None:
        return
    now, safety = ctx.clock.now(), ctx.profile.safety
    every = timedelta(minutes=safety.repage_minutes)
    for event in await ctx.repo.safety.repage_due(now, safety.max_repages):
        if not await ctx.repo.safety.repaged(event.id, now + every):
            continue
        await ctx.repo.audit.record(None, "safety_repage", f"safety:{event.id}",
                                    str(event.pages + 1))
        user = User(event.user_id, str(event.user_id), is_bot=False)
        await page(ctx, user, event_id=event.id, category=event.category,
                   severity=event.severity, quote=None, template="safety_repage",
                   targets=page_targets(ctx, backup=event.pages >= 1))
    for event in await ctx.repo.safety.follow_up_due(now):
        if await ctx.repo.safety.followed_up(event.id):
            await send(ctx, event.user_id, "safety_follow_up", lang=event.language,
                       buttons=person_buttons(ctx, event.language))


def register(app: Application, gate_group: int, group: int) -> None:
    private = filters.ChatType.PRIVATE
    said = private & (filters.TEXT | filters.CAPTION) & filters.UpdateType.MESSAGES
    app.add_handler(MessageHandler(said, gate), gate_group)
    app.add_handler(CommandHandler(["sos", "crisis"], help_now, filters=private), group)
    app.add_handler(CommandHandler("help", help_command, filters=private), group)
    app.add_handler(Sos.handler(help_now), group)
    app.add_handler(Safe.handler(on_person_button), group)
    app.add_handler(Ack.handler(on_ack), group)


def add_jobs(app: Application, every: float) -> None:
    app.job_queue.run_repeating(tick, interval=every, first=every, name="safety-pager")
