"""Enrolled clients: the invite link, /schedule, /reminders, /stop, attendance, /learn."""

import asyncio
import logging
from datetime import timedelta
from typing import get_args

from telegram import Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.domain.intake import clean_free_text
from bot.domain.lessons import split_intro, topics
from bot.domain.words import parse_switch
from bot.handlers import safety
from bot.handlers.buttons import (
    Absence,
    Attend,
    ClientMenu,
    Excuse,
    Feedback,
    Lesson,
    More,
    Reminders,
)
from bot.handlers.common import answer, blocked, lang_of, send
from bot.handlers.reminders import ask_feedback, deliver_lesson, send_opening
from bot.services import Ctx
from bot.storage.clients import Client
from bot.storage.sessions import Session

log = logging.getLogger(__name__)
REASONS: tuple[Excuse, ...] = get_args(Excuse)
REASON_WINDOW = timedelta(days=1)


def lock(ctx: Ctx) -> asyncio.Lock:
    return ctx.chat_data.setdefault("client_lock", asyncio.Lock())


async def me(update: Update, ctx: Ctx) -> Client | None:
    """The client writing, unless they withdrew their consent: then nothing of theirs is
    processed as a client's (an old reminder's buttons answer stale, no reason reaches
    staff, no lesson is recorded) until they agree again."""
    user_id = update.effective_user.id
    client = await ctx.repo.clients.of_user(user_id)
    if client is None or await ctx.repo.people.revoked(user_id):
        return None
    return client


async def not_a_client(update: Update, ctx: Ctx) -> None:
    await send(ctx, update.effective_chat.id, "not_a_client", lang=lang_of(update))
    raise ApplicationHandlerStop


async def redeem(update: Update, ctx: Ctx, token: str) -> None:
    """`/start inv_<token>`: bind this Telegram account to the client record, once."""
    lang = lang_of(update)
    outcome, client = await ctx.repo.clients.redeem(token, update.effective_user.id)
    if client is None:
        await send(ctx, update.effective_chat.id, "invite_bad", lang=lang, problem=outcome)
        return
    if lang and client.language is None:
        await ctx.repo.clients.update(client.id, language=ctx.content.lang(lang))
    await ctx.repo.audit.record(update.effective_user.id, "invite_redeemed",
                                f"client:{client.id}")
    sessions = await ctx.repo.sessions.upcoming(client.id, ctx.clock.now(), limit=3)
    await send(ctx, update.effective_chat.id, "invite_ok", lang=lang, name=client.name,
               sessions=sessions, kinds=kinds(ctx, lang))


def kinds(ctx: Ctx, lang: str | None) -> dict[str, str]:
    labels = ctx.content.labels(lang)
    return {kind: labels[f"kind.{kind}"] for kind in ("group", "individual", "medication")}


async def show_schedule(update: Update, ctx: Ctx) -> None:
    client = await me(update, ctx)
    if client is None:
        await not_a_client(update, ctx)
    lang = lang_of(update)
    sessions = await ctx.repo.sessions.upcoming(client.id, ctx.clock.now(), limit=8)
    await send(ctx, update.effective_chat.id, "schedule", lang=lang, sessions=sessions,
               kinds=kinds(ctx, lang), link=client.video_link)
    raise ApplicationHandlerStop


async def reminders_menu(update: Update, ctx: Ctx) -> None:
    """`/reminders` shows the switch; `/reminders on`, `off`, `sí` or `no` sets it."""
    client = await me(update, ctx)
    if client is None:
        await not_a_client(update, ctx)
    on = parse_switch(" ".join(ctx.args)) if ctx.args else None
    if on is not None:
        await set_reminders(update, ctx, client, on)
        raise ApplicationHandlerStop
    labels, lang = ctx.content.labels(lang_of(update)), lang_of(update)
    choice = "off" if client.reminders_on else "on"
    await send(ctx, update.effective_chat.id, "reminders_menu", lang=lang,
               on=client.reminders_on,
               buttons=[[(labels[f"reminders.{choice}"], Reminders(choice))]])
    raise ApplicationHandlerStop


async def on_reminders(update: Update, ctx: Ctx) -> None:
    await answer(update)
    client = await me(update, ctx)
    if client is None:
        await not_a_client(update, ctx)
    await set_reminders(update, ctx, client, Reminders.of(update).choice == "on")
    raise ApplicationHandlerStop


async def set_reminders(update: Update, ctx: Ctx, client: Client, on: bool) -> None:
    await ctx.repo.clients.update(client.id, reminders_on=int(on))
    await ctx.repo.audit.record(update.effective_user.id,
                                "reminders_on" if on else "reminders_off", f"client:{client.id}")
    await send(ctx, update.effective_chat.id, "reminders_set", lang=lang_of(update), on=on)


async def stop(update: Update, ctx: Ctx) -> None:
    client = await me(update, ctx)
    if client is not None:
        await ctx.repo.clients.stop(client.id, True)
        await ctx.repo.audit.record(update.effective_user.id, "messages_stopped",
                                    f"client:{client.id}")
    await send(ctx, update.effective_chat.id, "stopped", lang=lang_of(update))
    raise ApplicationHandlerStop


async def resume(update: Update, ctx: Ctx, client: Client) -> None:
    await ctx.repo.clients.stop(client.id, False)
    await ctx.repo.audit.record(update.effective_user.id, "messages_resumed",
                                f"client:{client.id}")
    await send(ctx, update.effective_chat.id, "resumed", lang=lang_of(update))


async def my_session(update: Update, ctx: Ctx, session_id: int) -> tuple[Client, Session]:
    """The client and their session; a button for anyone else's answers stale, and stops."""
    client = await me(update, ctx)
    session = await ctx.repo.sessions.get(session_id)
    if client is None or session is None or session.client_id != client.id:
        await answer(update, ctx.content.label("notice.stale", lang_of(update)))
        raise ApplicationHandlerStop
    await answer(update)
    return client, session


async def on_attendance(update: Update, ctx: Ctx) -> None:
    """"I'll be there" or "I can't make it"; the latter offers reasons."""
    pressed = Attend.of(update)
    client, session = await my_session(update, ctx, pressed.session)
    chat_id, lang = update.effective_chat.id, lang_of(update)
    async with lock(ctx):
        if pressed.choice == "yes":
            if await ctx.repo.sessions.respond(session.id, "confirmed"):
                await send(ctx, chat_id, "attend_yes", lang=lang)
        elif await ctx.repo.sessions.respond(session.id, "cant_make_it"):
            await ctx.repo.clients.update(client.id, awaiting_reason=session.id)
            labels = ctx.content.labels(lang)
            await send(ctx, chat_id, "attend_no", lang=lang,
                       buttons=[[(labels[f"reason.{code}"], Absence(session.id, code))]
                                for code in REASONS])
            await tell_staff(ctx, client, session, None)
    raise ApplicationHandlerStop


async def on_absence(update: Update, ctx: Ctx) -> None:
    pressed = Absence.of(update)
    client, session = await my_session(update, ctx, pressed.session)
    async with lock(ctx):
        await give_reason(ctx, update, client, session,
                          ctx.content.label(f"reason.{pressed.reason}", None))
    raise ApplicationHandlerStop


async def give_reason(ctx: Ctx, update: Update, client: Client, session, reason: str) -> None:
    await ctx.repo.clients.update(client.id, awaiting_reason=None)
    if await ctx.repo.sessions.respond(session.id, "cant_make_it", reason):
        await tell_staff(ctx, client, session, reason)
    await send(ctx, update.effective_chat.id, "attend_reason_thanks", lang=lang_of(update))


async def tell_staff(ctx: Ctx, client: Client, session, reason: str | None) -> None:
    staff_chat = ctx.services.settings.staff_chat_id
    await ctx.repo.audit.record(client.user_id, "cant_make_it", f"session:{session.id}")
    if staff_chat is not None:
        await send(ctx, staff_chat, "cant_make_it_staff", client=client, session=session,
                   kind=kinds(ctx, None)[session.kind], reason=reason)


async def on_text(update: Update, ctx: Ctx) -> None:
    """A typed reason after "I can't make it"; anything else is not ours."""
    client = await me(update, ctx)
    if client is None or client.awaiting_reason is None:
        return
    if safety.fired(ctx, update):
        raise ApplicationHandlerStop
    session = await ctx.repo.sessions.get(client.awaiting_reason)
    if session is None or session.starts_at < ctx.clock.now() - REASON_WINDOW:
        await ctx.repo.clients.update(client.id, awaiting_reason=None)
        return
    async with lock(ctx):
        reason = clean_free_text(update.effective_message.text, 200).text
        if reason:
            await give_reason(ctx, update, client, session, reason)
    raise ApplicationHandlerStop


async def learn(update: Update, ctx: Ctx) -> None:
    lang = lang_of(update)
    lessons = topics(ctx.services.library.curriculum(lang))
    await send(ctx, update.effective_chat.id, "learn_menu", lang=lang,
               buttons=[[(lesson.title, Lesson(lesson.id))] for lesson in lessons])
    raise ApplicationHandlerStop


async def on_lesson(update: Update, ctx: Ctx) -> None:
    await answer(update)
    lesson_id, lang = Lesson.of(update).lesson, lang_of(update)
    if ctx.services.library.get(lesson_id, lang) is None:
        raise ApplicationHandlerStop
    client = await me(update, ctx)
    if client is None:
        try:
            await send_opening(ctx, update.effective_chat.id, lesson_id, lang)
        except Forbidden:
            await blocked(ctx, update.effective_chat.id)
    else:
        await deliver_lesson(ctx, client, lesson_id)
    raise ApplicationHandlerStop


async def on_more(update: Update, ctx: Ctx) -> None:
    """The rest of a long lesson, then (for a client) "Was this helpful?"."""
    await answer(update)
    lesson_id, chat_id = More.of(update).lesson, update.effective_chat.id
    client = await me(update, ctx)
    lang = client.language if client else lang_of(update)
    if ctx.services.library.get(lesson_id, lang) is None:
        raise ApplicationHandlerStop
    try:
        await update.callback_query.edit_message_reply_markup(None)
    except TelegramError:
        log.info("the Read more button in chat %s could not be removed", chat_id)
    _, rest = split_intro(ctx.services.library.render(ctx.content, lesson_id, lang))
    try:
        for part in rest:
            await ctx.bot.send_message(chat_id, part)
    except Forbidden:
        await blocked(ctx, chat_id)
        raise ApplicationHandlerStop from None
    if client is not None:
        await ask_feedback(ctx, chat_id, lesson_id, lang)
    raise ApplicationHandlerStop


async def on_feedback(update: Update, ctx: Ctx) -> None:
    await answer(update)
    pressed = Feedback.of(update)
    client = await me(update, ctx)
    if client is not None:
        await ctx.repo.clients.lesson_feedback(client.id, pressed.lesson, pressed.verdict == "y")
    await send(ctx, update.effective_chat.id, "lesson_thanks", lang=lang_of(update))
    raise ApplicationHandlerStop


async def on_menu(update: Update, ctx: Ctx) -> None:
    """The enrolled client's /start menu: the same as the commands."""
    await answer(update)
    pages = {"schedule": show_schedule, "learn": learn, "reminders": reminders_menu}
    await pages[ClientMenu.of(update).page](update, ctx)


def register(app: Application, group: int, text_group: int) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("schedule", show_schedule, filters=private), group)
    app.add_handler(CommandHandler("reminders", reminders_menu, filters=private), group)
    app.add_handler(CommandHandler("stop", stop, filters=private), group)
    app.add_handler(CommandHandler("learn", learn, filters=private), group)
    app.add_handler(ClientMenu.handler(on_menu), group)
    app.add_handler(Reminders.handler(on_reminders), group)
    app.add_handler(Attend.handler(on_attendance), group)
    app.add_handler(Absence.handler(on_absence), group)
    app.add_handler(Lesson.handler(on_lesson), group)
    app.add_handler(More.handler(on_more), group)
    app.add_handler(Feedback.handler(on_feedback), group)
    text = private & filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGE
    app.add_handler(MessageHandler(text, on_text), text_group)
