"""The reminder dispatcher: fills recurring sessions, plans reminders, sends what is due.

Reminders are rows (an outbox). A restart loses nothing: whatever was pending is still
pending. Each row is marked sent right after Telegram accepts it, so nothing is sent twice
unless the process dies between those two steps.
"""

import asyncio
import logging
from datetime import datetime, timedelta

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.domain import schedule
from bot.domain.lessons import next_lesson, split_intro
from bot.handlers.buttons import Attend, Feedback, More
from bot.handlers.common import Rows, keyboard, send
from bot.limiter import PACED
from bot.services import Ctx
from bot.storage.clients import Client
from bot.storage.sessions import Due
from bot.timing import retry_seconds

log = logging.getLogger(__name__)


def attendance_buttons(ctx: Ctx, session_id: int, lang: str | None) -> Rows:
    labels = ctx.content.labels(lang)
    return [[(labels["attend.yes"], Attend("yes", session_id))],
            [(labels["attend.no"], Attend("no", session_id))]]


async def dispatch(ctx: Ctx) -> None:
    """One run at a time: two overlapping runs would double the send rate."""
    running = ctx.bot_data.setdefault("dispatch_lock", asyncio.Lock())
    if ctx.services.repo is None or running.locked():
        return
    async with running:
        now = ctx.clock.now()
        await fill(ctx, now)
        await plan(ctx, now)
        await send_due(ctx, now)
        await send_lessons(ctx, ctx.clock.now())


async def fill(ctx: Ctx, now: datetime) -> None:
    """Keep recurring sessions created a bounded time ahead, never all at once."""
    horizon = now + timedelta(days=ctx.profile.reminders.fill_days)
    zone = ctx.profile.clinic.tz
    for series in await ctx.repo.sessions.series_to_fill(horizon):
        start = max(series.filled_until, now)
        for starts_at in schedule.occurrences(series.rule, zone, start, horizon):
            await ctx.repo.sessions.add(series.client_id, series.rule.kind, starts_at,
                                        series.rule.minutes, series.id)
        await ctx.repo.sessions.filled(series.id, horizon)


async def plan(ctx: Ctx, now: datetime) -> None:
    settings, zone = ctx.profile.reminders, ctx.profile.clinic.tz
    for session in await ctx.repo.reminders.unplanned():
        if session.starts_at <= now:
            continue
        plan_ = schedule.reminder_plan(session.starts_at, settings.offsets, zone,
                                       settings.quiet_start, settings.quiet_end, now)
        await ctx.repo.reminders.plan(session.id, plan_)


async def send_due(ctx: Ctx, now: datetime) -> None:
    settings = ctx.profile.reminders
    limit = max(1, int(settings.per_second * max(settings.spread_minutes * 60, 1)))
    due = await ctx.repo.reminders.due(now, limit)
    sendable, seen = [], set()
    for item in due:
        if item.blocked or item.session.status != "scheduled":
            await ctx.repo.reminders.finish(item.id, "skipped", error="not deliverable")
        elif item.session.starts_at <= now:
            await ctx.repo.reminders.finish(item.id, "skipped", error="session started")
        elif item.user_id in seen:
            await ctx.repo.reminders.retry(item.id, now + timedelta(seconds=2), "same chat")
        else:
            seen.add(item.user_id)
            sendable.append(item)
    window = timedelta(minutes=settings.spread_minutes)
    slots = schedule.spread(len(sendable), now, window, settings.per_second)
    for item, slot in zip(sendable, slots, strict=True):
        wait = (slot - ctx.clock.now()).total_seconds()
        if wait > 0:
            await ctx.clock.sleep(wait)
        if not ctx.application.running:
            return
        if wait > 0 and not await ctx.repo.reminders.still_due(item.id):
            await ctx.repo.reminders.finish(item.id, "skipped", error="not deliverable")
            continue
        await deliver(ctx, item)


async def deliver(ctx: Ctx, item: Due) -> None:
    lang = item.language
    kind = ctx.content.label(f"kind.{item.session.kind}", lang)
    days = schedule.days_until(item.session.starts_at, ctx.clock.now(), ctx.profile.clinic.tz)
    text = ctx.content.render("reminder", lang, session=item.session, kind=kind, days=days,
                              link=item.video_link)
    try:
        message = await ctx.bot.send_message(
            item.user_id, text, rate_limit_args=PACED,
            reply_markup=keyboard(attendance_buttons(ctx, item.session.id, lang)))
    except Forbidden:
        await ctx.repo.reminders.finish(item.id, "failed", error="blocked")
        await unreachable(ctx, item.user_id)
    except RetryAfter as exc:
        seconds = retry_seconds(exc)
        await ctx.repo.reminders.retry(item.id, ctx.clock.now() + timedelta(seconds=seconds),
                                       "flood limit")
        await ctx.clock.sleep(seconds)
    except BadRequest as exc:
        await ctx.repo.reminders.finish(item.id, "failed", error=exc.message[:200])
    except NetworkError as exc:
        if item.attempts + 1 >= ctx.profile.reminders.max_attempts:
            await ctx.repo.reminders.finish(item.id, "failed", error=type(exc).__name__)
        else:
            backoff = timedelta(seconds=10 * 2 ** item.attempts)
            await ctx.repo.reminders.retry(item.id, ctx.clock.now() + backoff,
                                           type(exc).__name__)
    else:
        await ctx.repo.reminders.finish(item.id, "sent", message_id=message.message_id)


async def unreachable(ctx: Ctx, user_id: int) -> None:
    """A client blocked the bot: no more attempts, and staff hear it once."""
    client = await ctx.repo.clients.mark_unreachable(user_id)
    if client is None:
        return
    await ctx.repo.audit.record(None, "client_unreachable", f"client:{client.id}")
    staff_chat = ctx.services.settings.staff_chat_id
    if staff_chat is not None:
        await send(ctx, staff_chat, "client_unreachable", client=client)


async def send_lessons(ctx: Ctx, now: datetime) -> None:
    """One lesson after each completed group day, in curriculum order, never repeated."""
    library = ctx.services.library
    for session in await ctx.repo.sessions.ended_without_lesson(now, "group"):
        if not await ctx.repo.sessions.lesson_done(session.id):
            continue
        client = await ctx.repo.clients.get(session.client_id)
        if (not ctx.profile.reminders.lesson_after_group or client.user_id is None
                or client.stopped or client.unreachable
                or await ctx.repo.people.revoked(client.user_id)):
            continue
        delivered = await ctx.repo.clients.lessons_delivered(client.id)
        lesson = next_lesson(library.curriculum(client.language), delivered)
        if lesson is not None:
            await deliver_lesson(ctx, client, lesson.id)


async def deliver_lesson(ctx: Ctx, client: Client, lesson_id: str) -> None:
    """Send a lesson, recorded so it is never repeated, and ask "Was this helpful?" once
    it has all been sent."""
    try:
        whole = await send_opening(ctx, client.user_id, lesson_id, client.language)
    except Forbidden:
        await unreachable(ctx, client.user_id)
        return
    await ctx.repo.clients.lesson_sent(client.id, lesson_id)
    if whole:
        await ask_feedback(ctx, client.user_id, lesson_id, client.language)


async def send_opening(ctx: Ctx, chat_id: int, lesson_id: str, lang: str | None) -> bool:
    """A lesson's short opening with "Read more", or a short lesson whole (True)."""
    opening, rest = split_intro(ctx.services.library.render(ctx.content, lesson_id, lang))
    more = keyboard([[(ctx.content.label("lesson.more", lang), More(lesson_id))]])
    for index, part in enumerate(opening):
        last = index == len(opening) - 1
        await ctx.bot.send_message(chat_id, part, rate_limit_args=PACED,
                                   reply_markup=more if rest and last else None)
    return not rest


async def ask_feedback(ctx: Ctx, chat_id: int, lesson_id: str, lang: str | None) -> None:
    labels = ctx.content.labels(lang)
    await send(ctx, chat_id, "lesson_feedback", lang=lang,
               buttons=[[(labels["lesson.helpful"], Feedback("y", lesson_id)),
                         (labels["lesson.not_helpful"], Feedback("n", lesson_id))]])


def add_jobs(app, every: float) -> None:
    app.job_queue.run_repeating(dispatch, interval=every, first=every,
                                name="reminder-dispatcher")
