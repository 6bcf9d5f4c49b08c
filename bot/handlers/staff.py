"""Staff: request alerts and their buttons, /queue, and the deadline watcher."""

import logging
from datetime import timedelta
from typing import get_args

from markupsafe import Markup
from telegram import Update, User
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.domain import priority
from bot.domain.intake import clean_free_text
from bot.domain.roles import Role
from bot.domain.when import parse_when
from bot.handlers.access import staff_handler
from bot.handlers.buttons import Act, NotAFit, Open, Unfit
from bot.handlers.common import Rows, answer, edit_message, send, staff_chats
from bot.services import Ctx
from bot.storage.requests import Request, Status

log = logging.getLogger(__name__)

REASONS: tuple[Unfit, ...] = get_args(Unfit)
PROMPT_LIFE = timedelta(hours=1)
QUEUE_SHOWN = 25
QUEUE_BUTTONS_PER_ROW = 4
OPEN, CLAIMED, CONTACTED = Status.OPEN, Status.CLAIMED, Status.CONTACTED
ACTIONS = {
    "claim": (Status.CLAIMED, (OPEN,)),
    "contacted": (Status.CONTACTED, (OPEN, CLAIMED)),
    "scheduled": (Status.SCHEDULED, (OPEN, CLAIMED, CONTACTED)),
    "not_a_fit": (Status.NOT_A_FIT, (OPEN, CLAIMED, CONTACTED)),
}


def tier_names(ctx: Ctx) -> dict[int, str]:
    labels = ctx.content.labels()
    return {tier: labels[f"tier.{tier}"] for tier in range(1, 6)}


def name_of(user: User) -> str:
    return user.full_name or str(user.id)


def mention(user: User) -> Markup:
    return Markup('<a href="tg://user?id={}">{}</a>').format(user.id, name_of(user))


def actions(ctx: Ctx, request: Request) -> Rows | None:
    if request.status not in ACTIONS["not_a_fit"][1]:
        return None
    labels = ctx.content.labels()
    row = [(labels[f"staff.{a}"], Act(a, request.id))
           for a, (_, allowed) in ACTIONS.items() if request.status in allowed]
    return [row[:2], row[2:]]


async def render_alert(ctx: Ctx, request: Request, updated: bool = False) -> dict:
    history = [{"at": e.at, "action": e.action, "who": e.actor_name,
                "detail": e.detail}
               for e in await ctx.repo.audit.for_subject(f"request:{request.id}")
               if e.action.startswith(("staff_", "client_"))]
    for item in history:
        item["action"] = item["action"].removeprefix("staff_").replace("client_", "client ")
    return {"r": request, "updated": updated, "history": history, "tier_names": tier_names(ctx),
            "labels": ctx.content.labels(),
            "same_phone": await ctx.repo.requests.same_phone(request)}


async def alert(ctx: Ctx, request_id: int, *, updated: bool = False) -> None:
    """Tell the staff chat about a new or updated request; never fails the client's reply."""
    chat_id = ctx.services.settings.staff_chat_id
    if chat_id is None:
        log.warning("STAFF_CHAT_ID is not set; request %s was not announced", request_id)
        return
    try:
        request = await ctx.repo.requests.get(request_id)
        message = await send(ctx, chat_id, "staff_alert", buttons=actions(ctx, request),
                             **await render_alert(ctx, request, updated))
        if message is not None:
            await ctx.repo.requests.set_alert(request_id, chat_id, message.message_id)
    except Exception:
        log.exception("could not alert staff about request %s", request_id)


async def refresh(ctx: Ctx, request_id: int) -> None:
    """Show the request as it is now, with the buttons it allows, in every message showing
    its alert: the original and every copy. One that cannot be edited (deleted, or the bot
    left that chat) does not stop the rest."""
    request = await ctx.repo.requests.get(request_id)
    if request is None:
        return
    values = await render_alert(ctx, request)
    for chat_id, message_id in await ctx.repo.requests.alerts(request_id):
        try:
            await edit_message(ctx, chat_id, message_id, "staff_alert",
                               buttons=actions(ctx, request), **values)
        except TelegramError:
            log.warning("an alert for request %s could not be updated", request_id)


async def clear(ctx: Ctx, request_id: int, shown: list[tuple[int, int]], why: str, *,
                withdrawn: bool = False) -> None:
    """Leave every message that showed a request's alert (`Requests.alerts`, read before a
    deletion takes them) with no details and no buttons, only why: "revoked", "deleted" or
    "purged"; `withdrawn` when that ended a request still in play."""
    for chat_id, message_id in shown:
        try:
            await edit_message(ctx, chat_id, message_id, "staff_alert_cleared",
                               number=request_id, why=why, withdrawn=withdrawn)
        except TelegramError:
            log.warning("an alert for request %s could not be cleared", request_id)


async def pressed_request(update: Update, ctx: Ctx, request_id: int) -> Request:
    """A button for a request that is gone, or withdrawn with the person's consent, answers
    stale, and stops."""
    request = await ctx.repo.requests.get(request_id)
    if request is None or request.status is Status.WITHDRAWN:
        await answer(update, ctx.content.label("notice.stale"))
        raise ApplicationHandlerStop
    return request


async def on_action(update: Update, ctx: Ctx) -> None:
    pressed = Act.of(update)
    action, request = pressed.action, await pressed_request(update, ctx, pressed.request)
    user = update.effective_user
    chat_id = update.effective_chat.id
    # an alert sent or replaced before copies were kept track of is kept track of from now
    await ctx.repo.requests.add_copy(request.id, chat_id, update.effective_message.message_id)
    if action in ("scheduled", "not_a_fit"):
        if request.status not in ACTIONS[action][1]:
            await answer(update)
            await send(ctx, chat_id, "staff_done", number=request.id, status=request.status)
            raise ApplicationHandlerStop
        await answer(update)
        if action == "scheduled":
            asked = await send(ctx, chat_id, "staff_prompt_scheduled", force_reply=True,
                               who=mention(user), number=request.id)
        else:
            labels = ctx.content.labels()
            rows = [[(labels[f"staff.reason_{code}"], NotAFit(request.id, code))]
                    for code in REASONS]
            asked = await send(ctx, chat_id, "staff_prompt_reason", buttons=rows,
                               who=mention(user), number=request.id)
        if asked is not None:
            await ctx.repo.requests.prompt(chat_id, user.id, request.id, action,
                                           asked.message_id)
        raise ApplicationHandlerStop
    await finish(ctx, update, request, action)
    raise ApplicationHandlerStop


async def on_reason(update: Update, ctx: Ctx) -> None:
    pressed = NotAFit.of(update)
    request = await pressed_request(update, ctx, pressed.request)
    await ctx.repo.requests.drop_prompts(update.effective_chat.id, request.id)
    await finish(ctx, update, request, "not_a_fit",
                 reason=ctx.content.label(f"staff.reason_{pressed.reason}"))
    raise ApplicationHandlerStop


async def finish(ctx: Ctx, update: Update, request: Request, action: str, *,
                 when=None, reason: str | None = None) -> None:
    user = update.effective_user
    status, allowed = ACTIONS[action]
    moved = await ctx.repo.requests.move(request.id, status, user.id, allowed=allowed,
                                         scheduled_for=when, reason=reason)
    await answer(update)
    if not moved:
        current = await ctx.repo.requests.get(request.id)
        await send(ctx, update.effective_chat.id, "staff_done", number=request.id,
                   status=current.status)
        return
    detail = ctx.content.local_time(when) if when else None  # never free text: see privacy.md
    await ctx.repo.audit.record(user.id, f"staff_{action}", f"request:{request.id}", detail,
                                actor_name=name_of(user))
    try:
        if action == "scheduled":
            told = await send(ctx, request.user_id, "client_scheduled", lang=request.language,
                              when=when, name=request.answers.name
                              if request.answers.subject == "self" else None)
            if told is None:
                await send(ctx, update.effective_chat.id, "staff_client_not_told",
                           number=request.id)
    except TelegramError:
        log.warning("the client of request %s could not be told", request.id)
        await send(ctx, update.effective_chat.id, "staff_client_not_told", number=request.id)
    finally:
        await refresh(ctx, request.id)


async def on_reply(update: Update, ctx: Ctx) -> None:
    """A staff member's typed date or reason: only a reply to the prompt, within the hour."""
    user, chat_id = update.effective_user, update.effective_chat.id
    message = update.effective_message
    if message.reply_to_message is None:
        return
    pending = await ctx.repo.requests.take_prompt(
        chat_id, user.id, message.reply_to_message.message_id, ctx.clock.now() - PROMPT_LIFE)
    if pending is None:
        return
    request_id, kind = pending
    request = await ctx.repo.requests.get(request_id)
    text = update.effective_message.text
    if kind == "scheduled":
        when = parse_when(text, ctx.clock.now(), ctx.profile.clinic.tz)
        if when is None:
            asked = await send(ctx, chat_id, "staff_bad_time", force_reply=True,
                               who=mention(user))
            if asked is not None:
                await ctx.repo.requests.prompt(chat_id, user.id, request_id, kind,
                                               asked.message_id)
            raise ApplicationHandlerStop
        await finish(ctx, update, request, "scheduled", when=when)
    else:
        await finish(ctx, update, request, "not_a_fit", reason=clean_free_text(text, 200).text)
    raise ApplicationHandlerStop


async def queue(update: Update, ctx: Ctx) -> None:
    user = update.effective_user
    now = ctx.clock.now()
    items = []
    for request in await ctx.repo.requests.queue():
        left = priority.time_left(now, request.due_at)
        items.append({"r": request, "left": left, "overdue": left.total_seconds() < 0})
    await ctx.repo.audit.record(user.id, "staff_queue_viewed", "queue", str(len(items)),
                                actor_name=name_of(user))
    shown = items[:QUEUE_SHOWN]
    label = ctx.content.label("staff.open")
    row = [(label.format(number=i["r"].id), Open(i["r"].id)) for i in shown]
    rows = [row[n:n + QUEUE_BUTTONS_PER_ROW] for n in range(0, len(row), QUEUE_BUTTONS_PER_ROW)]
    await send(ctx, update.effective_chat.id, "staff_queue", buttons=rows or None, items=shown,
               more=max(0, len(items) - QUEUE_SHOWN), total=len(items), tier_names=tier_names(ctx))
    raise ApplicationHandlerStop


async def on_open(update: Update, ctx: Ctx) -> None:
    """A /queue button: the request's alert, as it is now, with its buttons, in this chat;
    the copy is kept track of, so a withdrawal or /delete clears it with the original."""
    request = await pressed_request(update, ctx, Open.of(update).request)
    user = update.effective_user
    await answer(update)
    await ctx.repo.audit.record(user.id, "request_opened", f"request:{request.id}",
                                actor_name=name_of(user))
    copy = await send(ctx, update.effective_chat.id, "staff_alert",
                      buttons=actions(ctx, request), **await render_alert(ctx, request))
    if copy is not None:
        await ctx.repo.requests.add_copy(request.id, copy.chat_id, copy.message_id)
    raise ApplicationHandlerStop


async def watch(ctx: Ctx) -> None:
    """Re-alert at half-time, page on-call at breach; each once, recorded, restart-proof."""
    if ctx.services.repo is None:
        return
    now, repo = ctx.clock.now(), ctx.repo
    staff_chat = ctx.services.settings.staff_chat_id
    names = tier_names(ctx)
    chats = [staff_chat] if staff_chat is not None else []
    for request in await repo.requests.half_time_due(now):
        left = priority.time_left(now, request.due_at)
        if await send_each(ctx, chats, "staff_realert", r=request, tier_names=names, left=left,
                           kind=request.due_kind, due=request.due_at):
            await repo.requests.escalated(request.id, "half_time")
            await repo.audit.record(None, "escalation_half_time", f"request:{request.id}")
    on_call = [*chats, *ctx.services.on_call()]
    for request in await repo.requests.breached(now):
        if await send_each(ctx, on_call, "staff_breach", r=request, tier_names=names,
                           kind=request.due_kind, due=request.due_at):
            await repo.requests.escalated(request.id, "breach")
            await repo.audit.record(None, "escalation_breach", f"request:{request.id}")
    for request, done in await repo.requests.awaiting_admission():
        deadline = request.deadline(priority.DeadlineKind.ADMISSION)
        if deadline is None or request.referred_at is None:
            continue
        step = priority.escalation_due(request.referred_at, deadline.due_at, now, done)
        if step is None:
            continue
        template, targets = (("staff_realert", chats) if step == "half_time"
                             else ("staff_breach", on_call))
        if await send_each(ctx, targets, template, r=request, tier_names=names,
                           kind=deadline.kind, due=deadline.due_at,
                           left=priority.time_left(now, deadline.due_at)):
            await repo.requests.escalated_admission(request.id, step)
            await repo.audit.record(None, f"escalation_admission_{step}",
                                    f"request:{request.id}")


async def send_each(ctx: Ctx, chats: list[int], name: str, **values: object) -> bool:
    """Send to every chat, one failure not stopping the rest; True if any arrived, or if
    there was nobody to tell (the escalation is still recorded then)."""
    arrived = not chats
    for chat_id in chats:
        try:
            arrived = await send(ctx, chat_id, name, **values) is not None or arrived
        except TelegramError:
            log.warning("escalation to chat %s failed", chat_id)
    return arrived


def register(app: Application, group: int, reply_group: int) -> None:
    where = staff_chats(app.bot_data["services"].settings)
    clinician = Role.CLINICIAN
    app.add_handler(staff_handler(Act.handler(on_action), clinician), group)
    app.add_handler(staff_handler(NotAFit.handler(on_reason), clinician), group)
    app.add_handler(staff_handler(Open.handler(on_open), clinician), group)
    app.add_handler(staff_handler(CommandHandler("queue", queue, filters=where), clinician),
                    group)
    text = filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGE
    app.add_handler(staff_handler(MessageHandler(text, on_reply), clinician), reply_group)


def add_jobs(app: Application, every: float) -> None:
    app.job_queue.run_repeating(watch, interval=every, first=every, name="deadline-watcher")
