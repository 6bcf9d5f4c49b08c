"""/disclose: record a disclosure to medical personnel in an emergency (42 CFR 2.51).

The rule asks for who disclosed, to whom (name and affiliation), when, and the nature of
the emergency. These rows are kept apart from every other record.
"""

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, CommandHandler

from bot.domain.intake import clean_free_text
from bot.domain.roles import Role
from bot.handlers.access import staff_handler
from bot.handlers.common import send, staff_chats
from bot.services import Ctx


async def disclose(update: Update, ctx: Ctx) -> None:
    user, chat_id = update.effective_user, update.effective_chat.id
    parts = [part.strip() for part in " ".join(ctx.args or []).split("|")]
    event = None
    if len(parts) == 3 and parts[0].lstrip("#").isdecimal() and all(parts[1:]):
        event = await ctx.repo.safety.get(int(parts[0].lstrip("#")))
    if event is None:
        await send(ctx, chat_id, "disclosure_usage")
        raise ApplicationHandlerStop
    recipient = clean_free_text(parts[1], 200).text
    nature = clean_free_text(parts[2], 500).text
    name = user.full_name or str(user.id)
    number = await ctx.repo.safety.disclose(event.user_id, event.id, recipient, nature,
                                            ctx.clock.now(), user.id, name)
    await ctx.repo.audit.record(user.id, "emergency_disclosure", f"safety:{event.id}",
                                f"disclosure:{number}", actor_name=name)
    await send(ctx, chat_id, "disclosure_recorded", number=number, event_id=event.id,
               recipient=recipient, at=ctx.clock.now(), who=name)
    raise ApplicationHandlerStop


def register(app: Application, group: int) -> None:
    where = staff_chats(app.bot_data["services"].settings)
    app.add_handler(staff_handler(CommandHandler("disclose", disclose, filters=where),
                                  Role.ON_CALL), group)
