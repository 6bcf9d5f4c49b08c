"""Staff: /enroll, /invite, /session, /videolink and /client.

Every command is staff-only and leaves an audit record.
"""

import re
import secrets
from datetime import datetime, timedelta

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, CommandHandler

from bot.domain.intake import parse_name
from bot.domain.roles import Role
from bot.domain.schedule import Recurrence
from bot.domain.when import read_when
from bot.handlers import reminders, staff
from bot.handlers.access import staff_handler
from bot.handlers.clients import kinds
from bot.handlers.common import send, staff_chats
from bot.handlers.staff import name_of
from bot.services import Ctx
from bot.storage.clients import Client
from bot.storage.requests import ACTIVE, Status

KINDS = {"group": "group", "individual": "individual", "family": "individual",
         "couples": "individual", "medication": "medication", "med": "medication"}
URL = re.compile(r"^https://\S{3,300}$")


async def audit(update: Update, ctx: Ctx, action: str, subject: str,
                detail: str | None = None) -> None:
    user = update.effective_user
    await ctx.repo.audit.record(user.id, action, subject, detail, actor_name=name_of(user))


async def usage(update: Update, ctx: Ctx, name: str, problem: str | None = None,
                value: object = None) -> None:
    """The command's usage, led by what was wrong with this attempt when we know it. The
    attempt is audited (which command, what was wrong; never what was typed)."""
    await audit(update, ctx, "staff_command_refused", name.removesuffix("_usage"),
                problem or "usage")
    if problem is None:
        await send(ctx, update.effective_chat.id, name)
    else:
        await send(ctx, update.effective_chat.id, "staff_problem", problem=problem,
                   value=value, usage=name)
    raise ApplicationHandlerStop


async def client_arg(update: Update, ctx: Ctx, text: str, template: str) -> Client:
    client = None
    if text.lstrip("#").isdecimal():
        client = await ctx.repo.clients.get(int(text.lstrip("#")))
        if client is None:
            await usage(update, ctx, template, "unknown_client", text.lstrip("#"))
    if client is None:
        await usage(update, ctx, template)
    return client


async def when_arg(update: Update, ctx: Ctx, text: str) -> datetime:
    when = read_when(text, ctx.clock.now(), ctx.profile.clinic.tz)
    if not isinstance(when, datetime):
        await usage(update, ctx, "session_usage", f"time_{when}", text)
    return when


async def enroll(update: Update, ctx: Ctx) -> None:
    """`/enroll 12` from request #12, or `/enroll Maya R.` by name."""
    text = " ".join(ctx.args or []).strip()
    request = None
    if text.lstrip("#").isdecimal():
        request = await ctx.repo.requests.get(int(text.lstrip("#")))
        if request is None or request.answers.name is None:
            await usage(update, ctx, "enroll_usage", "unknown_request", text.lstrip("#"))
        if request.status == Status.WITHDRAWN:  # the person revoked their consent
            await usage(update, ctx, "enroll_usage", "withdrawn_request", request.id)
        existing = await ctx.repo.clients.of_request(request.id)
        if existing is not None:
            await issue_invite(update, ctx, existing)
            raise ApplicationHandlerStop
        name, language = request.answers.name, request.language
    else:
        name, language = parse_name(text), None
        if not isinstance(name, str):
            await usage(update, ctx, "enroll_usage")
    client = await ctx.repo.clients.enroll(name, request.id if request else None, language,
                                           update.effective_user.id)
    await audit(update, ctx, "staff_enroll", f"client:{client.id}",
                f"request:{request.id}" if request else None)
    if request is not None:
        await admit(update, ctx, request.id, client)
    await add_group_series(ctx, client)
    await issue_invite(update, ctx, client)
    raise ApplicationHandlerStop


async def admit(update: Update, ctx: Ctx, request_id: int, client: Client) -> None:
    """Enrolment closes the request: admitted, audited, and its staff alert shows it."""
    moved = await ctx.repo.requests.move(request_id, Status.ADMITTED, update.effective_user.id,
                                         allowed=ACTIVE)
    if not moved:
        return
    await audit(update, ctx, "staff_admitted", f"request:{request_id}", f"client #{client.id}")
    await staff.refresh(ctx, request_id)


async def add_group_series(ctx: Ctx, client: Client) -> None:
    """The program default: group sessions on the profile's days, from tomorrow."""
    program, now = ctx.profile.program, ctx.clock.now()
    tomorrow = (now.astimezone(ctx.profile.clinic.tz) + timedelta(days=1)).date()
    rule = Recurrence(weekdays=[day.iso for day in program.group_days],
                      start=program.group_start, minutes=program.minutes("group"),
                      kind="group", starts_on=tomorrow)
    await ctx.repo.sessions.add_series(client.id, rule, now)
    await reminders.fill(ctx, now)


async def issue_invite(update: Update, ctx: Ctx, client: Client) -> None:
    token = secrets.token_urlsafe(18)
    expires = ctx.clock.now() + timedelta(hours=ctx.profile.program.invite_ttl_hours)
    await ctx.repo.clients.invite(client.id, token, expires)
    await audit(update, ctx, "staff_invite", f"client:{client.id}")
    link = f"https://t.me/{ctx.bot.username}?start=inv_{token}"
    upcoming = await ctx.repo.sessions.upcoming(client.id, ctx.clock.now(), limit=50)
    await send(ctx, update.effective_chat.id, "enrolled", client=client, link=link,
               expires=expires, group=any(s.kind == "group" for s in upcoming),
               upcoming=len(upcoming))


async def invite(update: Update, ctx: Ctx) -> None:
    client = await client_arg(update, ctx, " ".join(ctx.args or []), "invite_usage")
    await issue_invite(update, ctx, client)
    raise ApplicationHandlerStop


async def session(update: Update, ctx: Ctx) -> None:
    """`/session CLIENT add KIND WHEN [weekly]`, `move SESSION WHEN`, `cancel SESSION [all]`."""
    args = ctx.args or []
    if len(args) < 3:
        await usage(update, ctx, "session_usage")
    client = await client_arg(update, ctx, args[0], "session_usage")
    verb, rest = args[1].lower(), args[2:]
    now, zone = ctx.clock.now(), ctx.profile.clinic.tz
    chat_id = update.effective_chat.id
    if verb == "add":
        if rest[0].lower() not in KINDS:
            await usage(update, ctx, "session_usage", "unknown_kind", rest[0])
        kind = KINDS[rest[0].lower()]
        weekly = rest[-1].lower() == "weekly"
        when = await when_arg(update, ctx, " ".join(rest[1:-1] if weekly else rest[1:]))
        minutes = ctx.profile.program.minutes(kind)
        if weekly:
            local = when.astimezone(zone)
            rule = Recurrence(weekdays=[local.isoweekday()], start=local.time().replace(
                tzinfo=None), minutes=minutes, kind=kind, starts_on=local.date())
            series_id = await ctx.repo.sessions.add_series(client.id, rule, now)
            await reminders.fill(ctx, now)
            await audit(update, ctx, "staff_session_series", f"client:{client.id}",
                        f"series:{series_id}")
        else:
            added = await ctx.repo.sessions.add(client.id, kind, when, minutes)
            await audit(update, ctx, "staff_session_add", f"client:{client.id}",
                        f"session:{added.id}" if added else "duplicate")
        await send(ctx, chat_id, "session_done", action="added", client=client, when=when,
                   kind=kinds(ctx, None)[kind], weekly=weekly)
    elif verb in ("move", "cancel") and rest[0].lstrip("#").isdecimal():
        target = await ctx.repo.sessions.get(int(rest[0].lstrip("#")))
        if target is None or target.client_id != client.id:
            await usage(update, ctx, "session_usage", "unknown_session", rest[0].lstrip("#"))
        if verb == "move":
            when = await when_arg(update, ctx, " ".join(rest[1:]))
            if not await ctx.repo.sessions.move(target.id, when):
                await usage(update, ctx, "session_usage", "not_scheduled", target.id)
        elif rest[-1].lower() == "all" and target.series_id is not None:
            await ctx.repo.sessions.cancel_series(target.series_id, target, now)
            when = None
        else:
            await ctx.repo.sessions.cancel(target.id)
            when = None
        every = rest[-1].lower() == "all"
        await audit(update, ctx, f"staff_session_{verb}", f"session:{target.id}",
                    ctx.content.local_time(when) if when else "all" if every else None)
        await send(ctx, chat_id, "session_done", action=verb, client=client, when=when,
                   kind=kinds(ctx, None)[target.kind], weekly=every)
    elif verb in ("move", "cancel"):
        await usage(update, ctx, "session_usage", "unknown_session", rest[0])
    else:
        await usage(update, ctx, "session_usage", "unknown_action", args[1])
    raise ApplicationHandlerStop


async def video_link(update: Update, ctx: Ctx) -> None:
    args = ctx.args or []
    client = await client_arg(update, ctx, args[0] if args else "", "videolink_usage")
    link = args[1] if len(args) == 2 and URL.match(args[1]) else None
    if link is None:
        await usage(update, ctx, "videolink_usage", "bad_link" if len(args) > 1 else None)
    await ctx.repo.clients.update(client.id, video_link=link)
    await audit(update, ctx, "staff_video_link", f"client:{client.id}")
    await send(ctx, update.effective_chat.id, "videolink_set", client=client)
    raise ApplicationHandlerStop


async def client_card(update: Update, ctx: Ctx) -> None:
    client = await client_arg(update, ctx, " ".join(ctx.args or []), "client_usage")
    sessions = await ctx.repo.sessions.upcoming(client.id, ctx.clock.now() - timedelta(days=7),
                                                limit=12)
    delivered = await ctx.repo.clients.lessons_delivered(client.id)
    await audit(update, ctx, "staff_client_viewed", f"client:{client.id}")
    await send(ctx, update.effective_chat.id, "client_card", client=client, sessions=sessions,
               kinds=kinds(ctx, None), lessons=len(delivered))
    raise ApplicationHandlerStop


def register(app: Application, group: int) -> None:
    where = staff_chats(app.bot_data["services"].settings)
    for name, callback in (("enroll", enroll), ("invite", invite), ("session", session),
                           ("videolink", video_link), ("client", client_card)):
        app.add_handler(staff_handler(CommandHandler(name, callback, filters=where),
                                      Role.CLINICIAN), group)
