"""Admins: /staff (list, add, remove), /oncall (the on-call rotation), /audit (the trail)."""

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, CommandHandler

from bot.domain.roles import Role
from bot.handlers.access import staff_handler
from bot.handlers.common import send, staff_chats
from bot.services import Ctx

TRAIL = 40


async def show(update: Update, ctx: Ctx, template: str = "staff_list") -> None:
    services = ctx.services
    await send(ctx, update.effective_chat.id, template, roles=sorted(services.roles.items()),
               rotation=services.rotation, fallback=services.on_call())
    raise ApplicationHandlerStop


async def audit(update: Update, ctx: Ctx, action: str, detail: str) -> None:
    await ctx.repo.audit.record(update.effective_user.id, action, "staff", detail)


def last_admin(ctx: Ctx, user_id: int) -> bool:
    admins = [uid for uid, role in ctx.services.roles.items() if role is Role.ADMIN]
    return admins == [user_id]


async def staff(update: Update, ctx: Ctx) -> None:
    """`/staff`, `/staff add ID ROLE`, `/staff remove ID`."""
    args = [arg.lower() for arg in ctx.args or []]
    if not args:
        await audit(update, ctx, "staff_list_viewed", "")
        await show(update, ctx)
    user_id = int(args[1]) if len(args) > 1 and args[1].isdecimal() else None
    role = Role.parse(args[2]) if len(args) == 3 else None
    adding = args[0] == "add" and role is not None
    removing = args[0] == "remove" and len(args) == 2
    if user_id is None or not (adding or removing) or (
            last_admin(ctx, user_id) and role is not Role.ADMIN):
        await show(update, ctx, "staff_usage")
    if role is not None:
        await ctx.repo.staff.put(user_id, role, update.effective_user.id)
        await audit(update, ctx, "staff_added", f"{user_id} {role.key}")
    elif await ctx.repo.staff.remove(user_id):
        await audit(update, ctx, "staff_removed", str(user_id))
    await ctx.services.load_staff()
    await show(update, ctx)


async def on_call(update: Update, ctx: Ctx) -> None:
    """`/oncall ID [ID...]` sets the rotation; `/oncall` shows it."""
    args = ctx.args or []
    if not args:
        await audit(update, ctx, "staff_list_viewed", "")
        await show(update, ctx)
    ids = [int(arg) for arg in args if arg.isdecimal()]
    if len(ids) != len(args) or not all(ctx.services.is_staff(uid) for uid in ids):
        await show(update, ctx, "staff_usage")
    await ctx.repo.staff.set_on_call(ids)
    await audit(update, ctx, "oncall_set", " ".join(map(str, ids)))
    await ctx.services.load_staff()
    await show(update, ctx)


async def trail(update: Update, ctx: Ctx) -> None:
    """`/audit 12` or `/audit request 12`, `/audit client 3`: who did what, when."""
    args = [arg.lower().lstrip("#") for arg in ctx.args or []]
    kind = args[0] if len(args) == 2 else "request"
    subject = f"{kind}:{args[-1]}" if args and args[-1].isdecimal() else None
    if subject is None or kind not in ("request", "client") or len(args) > 2:
        await send(ctx, update.effective_chat.id, "audit_usage")
        raise ApplicationHandlerStop
    entries = await ctx.repo.audit.trail(subject, TRAIL)
    await ctx.repo.audit.record(update.effective_user.id, "audit_viewed", subject)
    await send(ctx, update.effective_chat.id, "audit_trail", subject=subject, entries=entries,
               limit=TRAIL)
    raise ApplicationHandlerStop


def register(app: Application, group: int) -> None:
    where = staff_chats(app.bot_data["services"].settings)
    for name, callback in (("staff", staff), ("oncall", on_call), ("audit", trail)):
        app.add_handler(staff_handler(CommandHandler(name, callback, filters=where), Role.ADMIN),
                        group)
