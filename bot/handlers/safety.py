"""The safety path: contacts first, from any state, whatever else is failing.

Every crisis reply, page, re-page and follow-up is a letter in the outbox (bot/outbox.py):
sent at once on the urgent lane, retried until Telegram takes it, and resumed after a
restart. Recording the event and paging run after the reply, in a task of their own, so a
locked database or a broken staff template can delay a page but never the person's reply.
"""

import asyncio
import logging
from collections import OrderedDict, deque
from datetime import datetime, timedelta

from telegram import Update, User
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.domain import distress
from bot.domain.delivery import Progress, Status
from bot.domain.roles import Role
from bot.domain.words import parse_safe
from bot.handlers.access import staff_handler
from bot.handlers.buttons import Ack, CheckIn, Safe, Said, Sos
from bot.handlers.common import Rows, answer, blocked, keyboard, lang_of, packed
from bot.outbox import new_key
from bot.services import Ctx, Services
from bot.storage.outbox import CHECK_IN, TO_PERSON, Letter
from bot.storage.safety import Event

log = logging.getLogger(__name__)

FIRED = "safety_fired"
CHECKED = "safety_checked_at"
CHECKED_UPDATE = "safety_checked_update"
ASKED_MINUTES = 30  # a typed answer counts this long after "Are you safe?"
HELP_REQUESTED = "help_requested"
CONTACT_REQUESTED = "contact_requested"
RECORD_TRIES = 3
REPLY_WAIT = 1.0
SCREENED = 8192  # more than the lane lets wait, so the gate finds what ingress screened
WINDOW_MESSAGES = 3  # this message and the two before it...
WINDOW_MINUTES = 10  # ...sent within this many minutes of it
WINDOW_CHATS = 10_000


def screen(services: Services, update: Update) -> distress.Detection | None:
    """Screen a private message once: the ingress lane and the gate both ask."""
    message = update.effective_message
    if message is None or update.effective_chat.type != "private":
        return None
    memo: OrderedDict = services.screened
    if update.update_id in memo:
        return memo[update.update_id]
    text = message.text or message.caption or ""
    if update.edited_message is not None or text.startswith("/"):
        found = distress.screen(text, services.detector)
    else:
        earlier = recent(services, message.chat_id, message.date, text)
        found = distress.screen_recent(text, earlier, services.detector)
    memo[update.update_id] = found
    while len(memo) > SCREENED:
        memo.popitem(last=False)
    return found


def recent(services: Services, chat_id: int, when: datetime, text: str) -> list[str]:
    """The person's earlier messages still in the window, oldest first, then remember this
    one. Held in memory only, a few per chat for at most WINDOW_MINUTES; never stored."""
    window: OrderedDict = services.recent
    said = window.pop(chat_id, None) or deque(maxlen=WINDOW_MESSAGES - 1)
    earlier = [line for at, line in said if when - at <= timedelta(minutes=WINDOW_MINUTES)]
    said.append((when, text))
    window[chat_id] = said
    while len(window) > WINDOW_CHATS:
        window.popitem(last=False)
    return earlier


def urgent(services: Services, update: Update) -> bool:
    """For the ingress lane: does this update belong on the safety path?"""
    query = update.callback_query
    if query is not None:
        return any(family.parse(query.data) for family in (Sos, Safe, CheckIn))
    message = update.effective_message
    words = (message.text or "").split() if message is not None else []
    if words and words[0].split("@")[0].lower() in ("/sos", "/crisis", "/help"):
        return True
    return unsafe_answer(services, update) or screen(services, update) is not None


def mark_fired(ctx: Ctx, update: Update) -> None:
    recent = ctx.chat_data.setdefault(FIRED, [])
    recent.append(update.update_id)
    del recent[:-20]


def ask(services: Services, chat_id: int, event_id: int | None) -> None:
    """Note that the bot asked this person "Are you safe?" (in memory only)."""
    services.asked.pop(chat_id, None)
    services.asked[chat_id] = (services.clock.now(), event_id)
    while len(services.asked) > WINDOW_CHATS:
        services.asked.popitem(last=False)


def question(services: Services, chat_id: int) -> tuple[datetime, int | None] | None:
    """The open "Are you safe?" in this chat, if asked within ASKED_MINUTES."""
    asked = services.asked.get(chat_id)
    if asked is None or services.clock.now() - asked[0] > timedelta(minutes=ASKED_MINUTES):
        return None
    return asked


def unsafe_answer(services: Services, update: Update) -> bool:
    """A new typed message that answers an open "Are you safe?" with no, a doubt or a call
    for help ("not really", "idk", "no estoy bien"). Decided once, so the ingress lane and
    the gate agree even after the first of two quick answers has closed the question."""
    message = update.message
    if message is None or not message.text or message.text.startswith("/"):
        return False
    memo: OrderedDict = services.answers
    if update.update_id not in memo:
        memo[update.update_id] = (question(services, message.chat_id) is not None
                                  and parse_safe(message.text) is False)
        while len(memo) > SCREENED:
            memo.popitem(last=False)
    return bool(memo[update.update_id])


def leans(ctx: Ctx, update: Update) -> bool:
    """Is a check-in due for this message the crisis path let through? Not for staff, a
    command or an edit, nor within `check_in_hours` of the last check-in or crisis reply;
    then the backstop must lean toward distress (distress.concern, about 2 ms)."""
    hours = ctx.profile.safety.check_in_hours
    message = update.message
    if (not hours or message is None or (message.text or "").startswith("/")
            or ctx.services.is_staff(update.effective_user.id)):
        return False
    last = ctx.chat_data.get(CHECKED)
    if last is not None and ctx.clock.now() - last < timedelta(hours=hours):
        return False
    try:
        return distress.concern(message.text or message.caption or "", ctx.services.detector)
    except Exception:
        log.exception("the check-in question failed on update %s", update.update_id)
        return False


def check_in(ctx: Ctx, update: Update) -> None:
    """Ask whether they are safe, with the lifeline and one tap to help, to someone
    contacting them, or to "I'm OK"; retried by the outbox, ahead of ordinary replies.
    Nobody is paged unless they ask. A clinic template that fails gives the plainest
    contacts instead."""
    chat_id, lang = update.effective_chat.id, lang_of(update)
    labels = ctx.content.labels(lang)
    buttons = [[(labels["menu.sos"], Sos())], [(labels["safety.call"], CheckIn("call"))],
               [(labels["safety.fine"], CheckIn("ok"))]]
    ctx.chat_data[CHECKED] = ctx.clock.now()
    ask(ctx.services, chat_id, None)
    try:
        to_person(ctx, chat_id, "check_in", lang, kind=CHECK_IN, buttons=buttons,
                  told=bool(page_targets(ctx)))
    except Exception:
        log.exception("the check-in for update %s could not be made", update.update_id)
        to_person(ctx, chat_id, "crisis_minimal", lang, kind=CHECK_IN, buttons=buttons,
                  told=False)


async def typed_safe(update: Update, ctx: Ctx) -> bool:
    """A typed "yes" or "I'm OK" to the bot's own "Are you safe?" that no conversation took
    is answered like the button (on a follow-up, its event shows it). A "no" never gets
    here: the gate answers it (unsafe_answer)."""
    chat_id = update.effective_chat.id
    asked = question(ctx.services, chat_id)
    if asked is None or parse_safe(update.effective_message.text or "") is not True:
        return False
    ctx.services.asked.pop(chat_id, None)
    lang = lang_of(update)
    if asked[1] is not None:
        ctx.application.create_task(record_choice(ctx, update.effective_user, lang, "ok",
                                                  asked[1]))
    await to_person(ctx, chat_id, "safe_ok", lang, kind="confirm")[1]
    return True


async def on_check_in_button(update: Update, ctx: Ctx) -> None:
    """A check-in's buttons. "Please have someone contact me" always pages: a check-in has
    no event of its own, so none is updated."""
    if not private(update):
        await answer(update)
        raise ApplicationHandlerStop
    ctx.services.asked.pop(update.effective_chat.id, None)
    user, lang = update.effective_user, lang_of(update)
    if CheckIn.of(update).choice == "call":
        ctx.application.create_task(alert_staff(
            ctx, user, lang, CONTACT_REQUESTED, distress.Severity.CRISIS, None, None,
            follow_up=False, template="safety_contact_request"))
    await to_person(ctx, update.effective_chat.id,
                    "safe_call" if CheckIn.of(update).choice == "call" else "safe_ok", lang,
                    kind="confirm")[1]
    await answer(update)
    raise ApplicationHandlerStop


def checked(ctx: Ctx, update: Update) -> bool:
    """True when the gate answered this update with a check-in: a conversation still takes
    it as usual (nothing the person said is lost), but the fallback stays quiet."""
    return ctx.chat_data is not None and ctx.chat_data.get(CHECKED_UPDATE) == update.update_id


def fired(ctx: Ctx, update: Update) -> bool:
    """True when the gate already answered this update, so later handlers stay quiet."""
    return ctx.chat_data is not None and update.update_id in ctx.chat_data.get(FIRED, ())


def person_buttons(ctx: Ctx, lang: str | None) -> Rows:
    labels = ctx.content.labels(lang)
    return [[(labels["safety.safe"], Safe("ok"))], [(labels["safety.call"], Safe("call"))]]


def to_person(ctx: Ctx, chat_id: int, name: str, lang: str | None, *, kind: str = "reply",
              buttons: Rows | None = None, event_id: int | None = None,
              **values: object) -> tuple[Letter, "asyncio.Task[Letter]"]:
    """Post a letter to a person; the task ends after the first attempt, retries go on."""
    now = ctx.clock.now()
    expiry = timedelta(minutes=ctx.profile.safety.reply_expiry_minutes)
    letter = Letter(key=new_key(), kind=kind, chat_id=chat_id, event_id=event_id,
                    parts=ctx.content.parts(name, lang, **values),
                    buttons=packed(buttons) if buttons else None, created_at=now,
                    progress=Progress(expires_at=now + expiry))
    return letter, asyncio.ensure_future(ctx.services.outbox.post(letter))


async def gate(update: Update, ctx: Ctx) -> None:
    message = update.effective_message
    try:
        found = screen(ctx.services, update)
    except Exception:
        log.exception("distress detector failed on update %s", update.update_id)
        found = None
    if found is None and unsafe_answer(ctx.services, update):
        ctx.services.asked.pop(update.effective_chat.id, None)
        mark_fired(ctx, update)
        await crisis(ctx, update, HELP_REQUESTED, distress.Severity.CRISIS, None,
                     message.text if ctx.profile.safety.quote_message else None)
        return
    if found is None:
        if leans(ctx, update):
            ctx.chat_data[CHECKED_UPDATE] = update.update_id
            check_in(ctx, update)
        return
    mark_fired(ctx, update)
    text = message.text or message.caption or ""
    quote = text if ctx.profile.safety.quote_message else None
    await crisis(ctx, update, found.category, found.severity, found.rule, quote)
    if message.caption or text.startswith("/"):
        raise ApplicationHandlerStop


async def crisis(ctx: Ctx, update: Update, category: str, severity: str, rule: str | None,
                 quote: str | None) -> None:
    """The contacts at once; the record and the page follow in their own task."""
    lang = lang_of(update)
    ctx.services.asked.pop(update.effective_chat.id, None)
    if ctx.chat_data is not None:  # no check-in so soon after the contacts
        ctx.chat_data[CHECKED] = ctx.clock.now()
    reply = None
    # A clinic's own template that fails (CONTENT_DIR) must not leave the person with
    # nothing: the plainest message in their language next, then the default language.
    for name, language in (("crisis", lang), ("crisis_minimal", lang), ("crisis", None),
                           ("crisis_minimal", None)):
        try:
            reply = to_person(ctx, update.effective_chat.id, name, language,
                              buttons=person_buttons(ctx, language), category=category,
                              severity=severity, told=bool(page_targets(ctx)))
            break
        except Exception:
            log.exception("the %s reply could not be made for update %s", name,
                          update.update_id)
    ctx.application.create_task(alert_staff(ctx, update.effective_user, lang, category,
                                            severity, rule, quote, reply=reply))
    if reply is not None:
        await asyncio.shield(reply[1])


def private(update: Update) -> bool:
    return update.effective_chat is not None and update.effective_chat.type == "private"


async def help_now(update: Update, ctx: Ctx) -> None:
    """/sos, /crisis and the "I need help now" button: contacts at once, and staff told."""
    if not private(update):
        await answer(update)
        raise ApplicationHandlerStop
    await crisis(ctx, update, HELP_REQUESTED, distress.Severity.CRISIS, None, None)
    await answer(update)
    raise ApplicationHandlerStop


async def help_command(update: Update, ctx: Ctx) -> None:
    await to_person(ctx, update.effective_chat.id, "help", lang_of(update),
                    client=await ctx.services.is_client(update.effective_user.id))[1]
    raise ApplicationHandlerStop


async def alert_staff(ctx: Ctx, user: User, lang: str | None, category: str, severity: str,
                      rule: str | None, quote: str | None, *,
                      reply: tuple[Letter, "asyncio.Task[Letter]"] | None = None,
                      follow_up: bool = True,
                      template: str = "safety_page") -> None:
    """Record the event (retrying a busy database), then page. Each half is tried even if
    the other fails: a page without a record still reaches staff. The page waits briefly
    for the reply's first attempt, to say whether it went out, but never longer."""
    settings = ctx.profile.safety
    event = None
    for attempt in range(RECORD_TRIES):
        try:
            event = await ctx.repo.safety.record(
                user.id, category, severity, rule, ctx.content.lang(lang),
                follow_up=timedelta(minutes=settings.follow_up_minutes) if follow_up else None,
                repage=timedelta(minutes=settings.repage_minutes))
            break
        except Exception:
            log.exception("could not record a safety event (attempt %s)", attempt + 1)
            if attempt + 1 < RECORD_TRIES:
                await asyncio.sleep(0.5 * 2 ** attempt)
    letter = None
    if reply is not None:
        letter, first = reply
        await asyncio.wait([first], timeout=REPLY_WAIT)
        if event is not None:
            letter.event_id = event.id
            ctx.services.outbox.mark(letter)
    if letter is not None:
        status = letter.progress.status.value
    else:  # a page about a crisis whose reply could not even be made says so
        status = "failed" if template == "safety_page" else None
    try:
        await page(ctx, user, event, kind="contact" if template != "safety_page" else "page",
                   template=template, category=category, severity=severity, quote=quote,
                   reply=status)
    except Exception:
        log.exception("could not page staff about a safety event")


async def page(ctx: Ctx, user: User, event: Event | None, *, kind: str, template: str,
               targets: list[int] | None = None, quote: str | None = None,
               **values: object) -> None:
    """One letter per target; the row keeps the page without the person's words."""
    number = phone = None
    try:
        request = await ctx.repo.requests.current(user.id)
        number = request.id if request else None
        if request is not None and request.answers.contact == "phone":
            phone = request.answers.phone
    except Exception:
        log.warning("could not look up the request of a paged person")
    category = values.pop("category", event.category if event else None)
    values |= {"user": user, "at": ctx.clock.now(), "number": number, "phone": phone,
               "category": ctx.content.labels().get(f"category.{category}", category),
               "event_id": event.id if event else None, "event": event}
    values.setdefault("severity", event.severity if event else None)
    parts = ctx.content.parts(template, quote=quote, **values)
    kept = ctx.content.parts(template, quote=None, **values) if quote else None
    buttons = packed(page_buttons(ctx, event)) if event else None
    now = ctx.clock.now()
    letters = [Letter(key=new_key(), kind=kind, chat_id=chat_id, parts=parts, buttons=buttons,
                      event_id=event.id if event else None, created_at=now)
               for chat_id in (page_targets(ctx) if targets is None else targets)]
    await asyncio.gather(*(ctx.services.outbox.post(letter, kept) for letter in letters))


def page_targets(ctx: Ctx, backup: bool = False) -> list[int]:
    safety = ctx.profile.safety
    targets = [*ctx.services.on_call(), *(safety.backup_user_ids if backup else [])]
    staff_chat = ctx.services.settings.staff_chat_id
    return ([staff_chat] if staff_chat is not None else []) + targets


def page_buttons(ctx: Ctx, event: Event) -> Rows:
    """A page's buttons show what the person answered and who is on it."""
    labels, rows = ctx.content.labels(), []
    if event.response:
        said = labels[f"safety.said_{event.response}"].format(
            time=ctx.content.local_time(event.responded_at))
        rows.append([(said, Said(event.id))])
    if event.acked_at:
        acked = labels["safety.acked"].format(name=event.acked_name,
                                              time=ctx.content.local_time(event.acked_at))
        rows.append([(acked, Ack(event.id))])
    else:
        rows.append([(labels["safety.ack"], Ack(event.id))])
    return rows


async def refresh_pages(ctx: Ctx, event: Event) -> None:
    """Every copy of the page shows the event as it is now."""
    markup = keyboard(page_buttons(ctx, event))
    for chat_id, message_id in await ctx.repo.outbox.pages_of(event.id):
        try:
            await ctx.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=markup)
        except TelegramError:
            log.info("page %s in chat %s could not be updated", message_id, chat_id)


async def on_person_button(update: Update, ctx: Ctx) -> None:
    """"I'm safe right now" or "Please have someone contact me"."""
    if not private(update):
        await answer(update)
        raise ApplicationHandlerStop
    user, lang = update.effective_user, lang_of(update)
    choice = Safe.of(update).choice
    ctx.services.asked.pop(update.effective_chat.id, None)
    ctx.application.create_task(record_choice(ctx, user, lang, choice))
    await to_person(ctx, update.effective_chat.id, "safe_ok" if choice == "ok" else "safe_call",
                    lang, kind="confirm")[1]
    await answer(update)
    raise ApplicationHandlerStop


async def record_choice(ctx: Ctx, user: User, lang: str | None, choice: str,
                        event_id: int | None = None) -> None:
    """Note the answer on the event (by default the latest) and show it on its pages; a
    contact request is a new event of its own, so it is re-paged until someone
    acknowledges it."""
    try:
        event = await (ctx.repo.safety.get(event_id) if event_id
                       else ctx.repo.safety.latest(user.id))
        if event is not None:
            await ctx.repo.safety.respond(event.id, "safe" if choice == "ok" else "contact")
            await refresh_pages(ctx, await ctx.repo.safety.get(event.id))
    except Exception:
        log.exception("could not record a safety response")
        event = None
    settings = ctx.profile.safety
    paging = timedelta(minutes=settings.repage_minutes * (settings.max_repages + 1))
    waiting = (event is not None and event.category == CONTACT_REQUESTED and not event.acked_at
               and ctx.clock.now() - event.detected_at < paging)
    if choice == "call" and not waiting:
        await alert_staff(ctx, user, lang, CONTACT_REQUESTED,
                          event.severity if event else distress.Severity.CRISIS, None, None,
                          follow_up=False, template="safety_contact_request")


async def on_ack(update: Update, ctx: Ctx) -> None:
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
    await refresh_pages(ctx, event)
    raise ApplicationHandlerStop


async def on_said(update: Update, ctx: Ctx) -> None:
    """The person's answer on a page is a label, not an action."""
    await answer(update)
    raise ApplicationHandlerStop


async def settled(ctx: Ctx, letter: Letter) -> None:
    """A letter is done. An "Are you safe?" that may have arrived keeps the question open from
    now (one resumed after a restart opens it); if the person never got theirs, staff hear
    of it."""
    status = letter.progress.status
    if letter.kind in (CHECK_IN, "follow_up") and status in (Status.SENT, Status.UNSURE):
        ask(ctx.services, letter.chat_id, letter.event_id)
    if status is Status.SENT:
        return
    log.warning("safety %s %s ended %s", letter.kind, letter.key[:8], status.value)
    if letter.kind not in TO_PERSON:
        return
    event = None
    try:
        if status is Status.BLOCKED:
            await blocked(ctx, letter.chat_id)
        event = await ctx.repo.safety.get(letter.event_id) if letter.event_id else None
    except Exception:
        log.exception("could not record the outcome of a safety %s", letter.kind)
    if letter.kind == CHECK_IN:
        return
    person = User(letter.chat_id, str(letter.chat_id), is_bot=False)
    await page(ctx, person, event, kind="notice", template="safety_undelivered",
               status=status.value, what=letter.kind)


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
        await page(ctx, user, event, kind="repage", template="safety_repage",
                   targets=page_targets(ctx, backup=event.pages >= 1))
    for event in await ctx.repo.safety.follow_up_due(now):
        if await ctx.repo.safety.followed_up(event.id):
            ask(ctx.services, event.user_id, event.id)
            await to_person(ctx, event.user_id, "safety_follow_up", event.language,
                            kind="follow_up", event_id=event.id,
                            buttons=person_buttons(ctx, event.language))[1]


def register(app: Application, gate_group: int, group: int) -> None:
    private = filters.ChatType.PRIVATE
    said = private & (filters.TEXT | filters.CAPTION) & filters.UpdateType.MESSAGES
    app.add_handler(MessageHandler(said, gate), gate_group)
    app.add_handler(CommandHandler(["sos", "crisis"], help_now, filters=private), group)
    app.add_handler(CommandHandler("help", help_command, filters=private), group)
    app.add_handler(Sos.handler(help_now), group)
    app.add_handler(Safe.handler(on_person_button), group)
    app.add_handler(CheckIn.handler(on_check_in_button), group)
    app.add_handler(staff_handler(Ack.handler(on_ack), Role.ON_CALL), group)
    app.add_handler(staff_handler(Said.handler(on_said), Role.ON_CALL), group)


def add_jobs(app: Application, every: float) -> None:
    app.job_queue.run_repeating(tick, interval=every, first=every, name="safety-pager")
