"""Who may use a staff command or button, declared once where its handler is registered."""

from telegram import Update
from telegram.ext import BaseHandler

from bot.domain.roles import Role
from bot.services import Ctx


def staff_handler(handler: BaseHandler, role: Role) -> BaseHandler:
    """Run the callback for `role` or above. Anyone else gets what an unknown command or
    button gets: the update is left to the fallback, so nothing is revealed."""
    inner = handler.callback

    async def checked(update: Update, ctx: Ctx) -> object:
        found = ctx.services.role_of(update.effective_user.id if update.effective_user else None)
        if found is not None and found >= role:
            return await inner(update, ctx)
        await refused(update, ctx, role)
        return None

    handler.callback = checked
    return handler


async def refused(update: Update, ctx: Ctx, role: Role) -> None:
    """Audit an attempt: a command or a button press; plain text is not one."""
    query, message = update.callback_query, update.effective_message
    what = query.data if query else (message.text or "") if message else ""
    if query is None and not what.startswith("/"):
        return
    await ctx.repo.audit.record(update.effective_user.id, "staff_refused", "staff_only",
                                f"{what.split(' ')[0][:40]} ({role.key})")
