"""Telegram tells the bot when a person blocks or unblocks it; reminders follow that."""

from telegram import ChatMember, Update
from telegram.ext import Application, ChatMemberHandler

from bot.handlers import reminders
from bot.services import Ctx


async def on_member(update: Update, ctx: Ctx) -> None:
    change = update.my_chat_member
    if change.chat.type != "private" or ctx.services.repo is None:
        return
    user_id = change.chat.id
    if change.new_chat_member.status == ChatMember.BANNED:
        if await ctx.repo.people.mark_unreachable(user_id):
            await ctx.repo.audit.record(user_id, "blocked_bot", f"person:{user_id}")
        await reminders.unreachable(ctx, user_id)
    elif change.new_chat_member.status == ChatMember.MEMBER:
        await ctx.repo.people.mark_reachable(user_id)
        client = await ctx.repo.clients.of_user(user_id)
        if client is not None and client.unreachable:
            await ctx.repo.clients.mark_reachable(client.id)
            await ctx.repo.audit.record(user_id, "unblocked_bot", f"client:{client.id}")


def register(app: Application, group: int) -> None:
    app.add_handler(ChatMemberHandler(on_member, ChatMemberHandler.MY_CHAT_MEMBER), group)
