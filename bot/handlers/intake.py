"""Consultation requests: consent, questions, summary, outcome. State lives in the database."""

import asyncio
import re

from telegram import Update
from telegram.ext import ApplicationHandlerStop, MessageHandler, filters

from bot.domain import eligibility, intake, priority, words
from bot.domain.intake import Problem, Step, Subject
from bot.handlers import safety, staff
from bot.handlers.buttons import Answer, Consent, Consult, Continue, Reopen
from bot.handlers.common import Rows, answer, lang_of, send
from bot.handlers.menus import client_menu
from bot.services import Ctx
from bot.storage.clients import Client
from bot.storage.requests import Request

CONSENT_VERSION = "2026-11"
REFERRAL = re.compile(r"^[A-Za-z0-9_-]{1,32}$")

CHOICES: dict[Step, list[str]] = {
    Step.SUBJECT: [s.value for s in intake.Subject],
    Step.RELATION: [r.value for r in intake.Relation],
    Step.INJECTION: [v.value for v in intake.YesNo],
    Step.PREGNANCY: [v.value for v in intake.Pregnancy],
    Step.DISCHARGE: [v.value for v in intake.YesNo],
    Step.MENTAL_HEALTH: [v.value for v in intake.MentalHealth],
    Step.CONTACT: [v.value for v in intake.ContactMethod],
    Step.BEST_TIMES: ["mornings", "afternoons", "evenings", "anytime"],
}
TYPED = {Step.NAME, Step.AGE, Step.PHONE, Step.BEST_TIMES, Step.NOTES}
YES_NO = {Step.INJECTION, Step.PREGNANCY, Step.DISCHARGE, Step.MENTAL_HEALTH}


def lock(ctx: Ctx) -> asyncio.Lock:
    """One person's updates are handled one at a time; the safety gate never waits here."""
    return ctx.chat_data.setdefault("intake_lock", asyncio.Lock())


def options(ctx: Ctx, step: Step, lang: str | None) -> list[tuple[str, str]]:
    """(label, stored value) pairs for a choice question."""
    labels = ctx.content.labels(lang)
    if step is Step.STATE:
        return [(code, code) for code in ctx.profile.clinic.service_area] + [
            (labels["answer.elsewhere"], intake.ELSEWHERE)]
    return [(labels[f"answer.{value}"], value) for value in CHOICES.get(step, [])]


def buttons(ctx: Ctx, request: Request, step: Step, lang: str | None) -> Rows:
    labels = ctx.content.labels(lang)
    rows: Rows = [[(text, Answer(step, value))] for text, value in options(ctx, step, lang)]
    if step is Step.NOTES:
        rows.append([(labels["nav.skip"], Answer(step, "-"))])
    if step is Step.SUMMARY:
        rows.append([(labels["nav.send"], Answer(step, "send"))])
    nav = [(labels["nav.cancel"], Answer(step, "cancel"))]
    if intake.previous_step(request.answers, step) is not None:
        nav.insert(0, (labels["nav.back"], Answer(step, "back")))
    return [*rows, nav]


async def ask(ctx: Ctx, chat_id: int, request: Request, lang: str | None) -> None:
    """Ask the current question; asking it ends any pause."""
    if request.paused:
        await ctx.repo.requests.pause(request.id, False)
    step = request.step
    a = request.answers
    labels = ctx.content.labels(lang)
    values = {"loved": a.subject is Subject.LOVED_ONE, "who": a.name, "a": a, "labels": labels,
              "whose": labels[f"whose.{a.relation or 'other'}"]}
    if step is Step.SUMMARY:
        values["state"] = labels["answer.elsewhere"] if a.state == intake.ELSEWHERE else a.state
    await send(ctx, chat_id, f"q_{step}", lang=lang, buttons=buttons(ctx, request, step, lang),
               **values)


async def begin(update: Update, ctx: Ctx, referral: str | None = None) -> None:
    """Entry from the menu button, `/start consult` or `/start ref_<code>`."""
    chat_id, user_id, lang = update.effective_chat.id, update.effective_user.id, lang_of(update)
    async with lock(ctx):
        person = await ctx.repo.people.get(user_id)
        if person is not None and person.revoked:
            person = None  # a revoked consent is given afresh
        current = await ctx.repo.requests.current(user_id) if person else None
        if current is not None and current.step is not None:
            await send(ctx, chat_id, "intake_resume", lang=lang)
            await ask(ctx, chat_id, current, lang)
        elif current is not None:
            labels = ctx.content.labels(lang)
            await send(ctx, chat_id, "intake_existing", lang=lang, number=current.id,
                       scheduled=current.scheduled_for,
                       buttons=[[(labels["nav.update"], Reopen("update"))],
                                [(labels["nav.keep"], Reopen("keep"))]])
        elif person is not None:
            await start_draft(ctx, chat_id, user_id, lang, referral)
        else:
            labels = ctx.content.labels(lang)
            await send(ctx, chat_id, "consent", lang=lang,
                       buttons=[[(labels["nav.agree"], Consent("yes", referral))],
                                [(labels["nav.decline"], Consent("no"))]])


async def start_draft(ctx: Ctx, chat_id: int, user_id: int, lang: str | None,
                      referral: str | None) -> None:
    request = await ctx.repo.requests.start(user_id, lang, referral, Step.SUBJECT)
    await ctx.repo.audit.record(user_id, "intake_started", f"request:{request.id}",
                                f"referral={referral}" if referral else None)
    await ask(ctx, chat_id, request, lang)


async def on_menu(update: Update, ctx: Ctx) -> None:
    await answer(update)
    await begin(update, ctx)
    raise ApplicationHandlerStop


async def on_consent(update: Update, ctx: Ctx) -> None:
    await answer(update)
    chat_id, user_id, lang = update.effective_chat.id, update.effective_user.id, lang_of(update)
    consent = Consent.of(update)
    if consent.choice == "no":
        await send(ctx, chat_id, "consent_declined", lang=lang)
        raise ApplicationHandlerStop
    async with lock(ctx):
        person = await ctx.repo.people.get(user_id)
        if person is None or person.revoked:
            client = await agree(ctx, user_id, lang)
            if person is not None and client is not None:
                await renewed(ctx, chat_id, lang, client)
                raise ApplicationHandlerStop
        current = await ctx.repo.requests.current(user_id)
        if current is None:
            await start_draft(ctx, chat_id, user_id, lang, consent.referral)
        elif current.step is not None:
            await ask(ctx, chat_id, current, lang)
        else:
            await send(ctx, chat_id, "intake_sent_already", lang=lang)
    raise ApplicationHandlerStop


async def agree(ctx: Ctx, user_id: int, lang: str | None) -> Client | None:
    """Store the consent, first given or given again (the "I agree" of the notice, or
    /consent's "I agree again"): a client gets back the reminders their revocation skipped
    that are still ahead. Returns the person's client record, if any."""
    await ctx.repo.people.consent(user_id, CONSENT_VERSION, ctx.content.lang(lang))
    await ctx.repo.audit.record(user_id, "consent", f"person:{user_id}", CONSENT_VERSION)
    client = await ctx.repo.clients.of_user(user_id)
    if client is not None:
        await ctx.repo.clients.release(client.id, ctx.clock.now())
    return client


async def renewed(ctx: Ctx, chat_id: int, lang: str | None, client: Client | None) -> None:
    """A consent given again: a client is told their reminders resume and gets their menu,
    not a new questionnaire."""
    await send(ctx, chat_id, "consent_renewed", lang=lang, client=client,
               buttons=client_menu(ctx, lang) if client else None)


async def on_continue(update: Update, ctx: Ctx) -> None:
    """"Continue" after a pause: the current question again."""
    chat_id, user_id, lang = update.effective_chat.id, update.effective_user.id, lang_of(update)
    async with lock(ctx):
        current = await ctx.repo.requests.current(user_id)
        if current is None or current.step is None:
            await answer(update, ctx.content.label("notice.stale", lang))
        else:
            await answer(update)
            await ask(ctx, chat_id, current, lang)
    raise ApplicationHandlerStop


async def pause(ctx: Ctx, chat_id: int, request: Request, lang: str | None) -> None:
    """After a crisis reply no question follows; the person continues when ready. Text
    typed while paused is not taken as an answer."""
    await ctx.repo.requests.pause(request.id)
    await send(ctx, chat_id, "intake_paused", lang=lang,
               buttons=[[(ctx.content.label("nav.continue", lang), Continue())]])


async def on_update_choice(update: Update, ctx: Ctx) -> None:
    await answer(update)
    chat_id, user_id, lang = update.effective_chat.id, update.effective_user.id, lang_of(update)
    async with lock(ctx):
        current = await ctx.repo.requests.current(user_id)
        if current is not None and current.step is not None:
            await ask(ctx, chat_id, current, lang)
        elif current is None:
            await send(ctx, chat_id, "stale_button", lang=lang)
        elif Reopen.of(update).choice == "keep":
            await send(ctx, chat_id, "intake_kept", lang=lang)
        elif await ctx.repo.requests.begin_update(current.id):
            await ask(ctx, chat_id, await ctx.repo.requests.get(current.id), lang)
    raise ApplicationHandlerStop


async def on_button(update: Update, ctx: Ctx) -> None:
    pressed = Answer.of(update)
    chat_id, user_id, lang = update.effective_chat.id, update.effective_user.id, lang_of(update)
    async with lock(ctx):
        current = await ctx.repo.requests.current(user_id)
        if current is None or current.step is None or current.step != pressed.step:
            await answer(update, ctx.content.label("notice.stale", lang))
            if current is not None and current.step is not None:
                await ask(ctx, chat_id, current, lang)
            elif current is not None:
                await send(ctx, chat_id, "intake_sent_already", lang=lang)
            raise ApplicationHandlerStop
        await answer(update)
        step, value = current.step, pressed.value
        if value == "cancel":
            await cancel(ctx, chat_id, current, lang)
        elif value == "back":
            await go_back(ctx, chat_id, current, lang)
        elif step is Step.SUMMARY and value == "send":
            await submit(ctx, chat_id, current, lang)
        elif step is Step.NOTES and value == "-":
            await accept(ctx, chat_id, current, "", lang)
        elif value in {v for _, v in options(ctx, step, lang)}:
            await accept(ctx, chat_id, current, value, lang)
        else:
            await ask(ctx, chat_id, current, lang)
    raise ApplicationHandlerStop


async def on_text(update: Update, ctx: Ctx) -> None:
    """Typed answers. Returns quietly when the person has no question open."""
    chat_id, user_id, lang = update.effective_chat.id, update.effective_user.id, lang_of(update)
    async with lock(ctx):
        person = await ctx.repo.people.get(user_id)
        current = await ctx.repo.requests.current(user_id) if person else None
        if current is None or current.step is None:
            return
        fired = safety.fired(ctx, update)
        if fired and current.paused:
            raise ApplicationHandlerStop
        if fired or current.paused:
            await pause(ctx, chat_id, current, lang)
            raise ApplicationHandlerStop
        text = update.effective_message.text
        value = typed_value(ctx, current.step, text, lang)
        if isinstance(value, Problem) or value is None:
            problem = value.value if isinstance(value, Problem) else "use_buttons"
            await send(ctx, chat_id, "reask", lang=lang, problem=problem)
            await ask(ctx, chat_id, current, lang)
        else:
            limit = {Step.BEST_TIMES: intake.BEST_TIMES_LIMIT, Step.NOTES: intake.NOTES_LIMIT}
            if current.step in limit:
                value, cut = intake.clean_free_text(value, limit[current.step])
                if not value:
                    await send(ctx, chat_id, "reask", lang=lang, problem="empty")
                    await ask(ctx, chat_id, current, lang)
                    raise ApplicationHandlerStop
                if cut:
                    await send(ctx, chat_id, "intake_cut", lang=lang, limit=limit[current.step])
            await accept(ctx, chat_id, current, value, lang)
    raise ApplicationHandlerStop


def typed_value(ctx: Ctx, step: Step, text: str, lang: str | None) -> object:
    """A typed answer: parsed for free-text questions, matched to a label for choices."""
    wanted = text.strip().casefold()
    for label, value in options(ctx, step, lang):
        if wanted in {label.casefold(), value.casefold()}:
            return value
    if step is Step.STATE:
        return words.parse_state(text) or Problem.UNKNOWN_STATE
    if step is Step.RELATION:
        return words.parse_relation(text)
    if step in YES_NO:
        return words.parse_yes_no(text)
    if step is Step.NAME:
        return intake.parse_name(text)
    if step is Step.AGE:
        return intake.parse_age(text)
    if step is Step.PHONE:
        return intake.parse_phone(text)
    if step in TYPED:
        return text if text.strip() else Problem.EMPTY
    return None


async def accept(ctx: Ctx, chat_id: int, request: Request, value: object,
                 lang: str | None) -> None:
    answers = intake.record(request.answers, request.step, value)
    outcome = eligibility.ruled_out(answers, ctx.profile.eligibility)
    if outcome is not None and request.referred_at is None:
        await redirect(ctx, chat_id, request.model_copy(update={"answers": answers}), outcome,
                       lang)
    elif await ctx.repo.requests.save(request.id, answers, intake.next_step(answers),
                                      expect=request.step):
        await ask(ctx, chat_id, await ctx.repo.requests.get(request.id), lang)


async def go_back(ctx: Ctx, chat_id: int, request: Request, lang: str | None) -> None:
    previous = intake.previous_step(request.answers, request.step)
    if previous is None:
        await ask(ctx, chat_id, request, lang)
        return
    if await ctx.repo.requests.save(request.id, request.answers, previous, expect=request.step):
        await ask(ctx, chat_id, await ctx.repo.requests.get(request.id), lang)


async def cancel(ctx: Ctx, chat_id: int, request: Request, lang: str | None) -> None:
    if request.referred_at is None:
        await ctx.repo.requests.delete(request.id)
        await ctx.repo.audit.record(request.user_id, "intake_cancelled", f"request:{request.id}")
        await send(ctx, chat_id, "intake_cancelled", lang=lang,
                   held=await ctx.repo.people.held(request.user_id))
    else:
        await ctx.repo.requests.abandon_update(request.id)
        await send(ctx, chat_id, "intake_kept", lang=lang)


async def submit(ctx: Ctx, chat_id: int, request: Request, lang: str | None) -> None:
    answers, profile = request.answers, ctx.profile
    decision = eligibility.decide(answers, profile.eligibility)
    if decision.outcome is not eligibility.Outcome.ELIGIBLE:
        await redirect(ctx, chat_id, request, decision.outcome, lang)
        return
    updated = request.referred_at is not None
    referred_at = request.referred_at or ctx.clock.now()
    assessment = priority.assess(answers, referred_at, profile.priority, profile.calendar)
    if not await ctx.repo.requests.submit(request.id, assessment, referred_at):
        return
    await ctx.repo.audit.record(request.user_id, "intake_updated" if updated else "intake_sent",
                                f"request:{request.id}", f"tier={int(assessment.tier)}")
    await send(ctx, chat_id, "outcome_eligible", lang=lang, number=request.id,
               tier=int(assessment.tier), due=assessment.primary.due_at,
               contact=answers.contact, phone=answers.phone,
               loved=answers.subject is Subject.LOVED_ONE, name=answers.name)
    await staff.alert(ctx, request.id, updated=updated)


async def redirect(ctx: Ctx, chat_id: int, request: Request, outcome: str,
                   lang: str | None) -> None:
    """Someone the program cannot take: kind resources; a draft is deleted, a sent request
    is closed."""
    answers = request.answers
    await ctx.repo.audit.record(request.user_id, f"intake_{outcome}", f"request:{request.id}")
    if request.referred_at is None:
        await ctx.repo.requests.delete(request.id)
    else:
        await close_sent(ctx, request, outcome)
    await send(ctx, chat_id, f"outcome_{outcome}", lang=lang,
               loved=answers.subject is Subject.LOVED_ONE, name=answers.name)


async def close_sent(ctx: Ctx, request: Request, outcome: str) -> None:
    """A sent request updated into one the program cannot take: staff already have it, so
    it is closed as not a fit, with the reason, and its alert updated, not deleted."""
    await ctx.repo.requests.close(request.id, ctx.content.label(f"outcome.{outcome}"))
    await ctx.repo.audit.record(request.user_id, "client_closed", f"request:{request.id}",
                                outcome)
    await staff.refresh(ctx, request.id)
    staff_chat = ctx.services.settings.staff_chat_id
    if staff_chat is not None:
        await send(ctx, staff_chat, "staff_request_closed", number=request.id,
                   reason=ctx.content.label(f"outcome.{outcome}"))


def register(app, group: int, text_group: int) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(Consult.handler(on_menu), group)
    app.add_handler(Consent.handler(on_consent), group)
    app.add_handler(Reopen.handler(on_update_choice), group)
    app.add_handler(Continue.handler(on_continue), group)
    app.add_handler(Answer.handler(on_button), group)
    text = private & filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGE
    app.add_handler(MessageHandler(text, on_text), text_group)
