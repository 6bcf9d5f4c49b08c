"""The /start menus: one for people asking about IOP, one for enrolled clients."""

from bot.handlers.buttons import About, ClientMenu, Consult, Sos
from bot.handlers.common import Rows
from bot.services import Ctx


def menu(ctx: Ctx, lang: str | None) -> Rows:
    label = ctx.content.labels(lang)
    return [
        [(label["menu.consult"], Consult())],
        [(label["menu.iop"], About("iop")), (label["menu.family"], About("family"))],
        [(label["menu.sos"], Sos())],
    ]


def client_menu(ctx: Ctx, lang: str | None) -> Rows:
    label = ctx.content.labels(lang)
    return [
        [(label["menu.schedule"], ClientMenu("schedule"))],
        [(label["menu.learn"], ClientMenu("learn")),
         (label["menu.reminders"], ClientMenu("reminders"))],
        [(label["menu.sos"], Sos())],
    ]


async def menu_for(ctx: Ctx, user_id: int, lang: str | None) -> Rows:
    """The menu that fits the person: a client's, or the one for people asking about IOP.
    A slow or failing database reads as "not a client" (see Services.is_client)."""
    client = await ctx.services.is_client(user_id)
    return client_menu(ctx, lang) if client else menu(ctx, lang)
