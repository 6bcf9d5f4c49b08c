"""Staff: /stats PERIOD, the period's figures: counts, shares and medians, never a name."""

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, CommandHandler

from bot.domain import stats as figures
from bot.domain.roles import Role
from bot.handlers.access import staff_handler
from bot.handlers.common import send, staff_chats
from bot.handlers.enrolment import audit, usage
from bot.handlers.staff import tier_names
from bot.services import Ctx


async def stats(update: Update, ctx: Ctx) -> None:
    """`/stats`, `/stats 7d`, `/stats week`, `/stats month`, `/stats 2026-11`."""
    text, now = " ".join(ctx.args or []), ctx.clock.now()
    period = figures.read_period(text, now, ctx.profile.clinic.tz)
    if isinstance(period, str):
        await usage(update, ctx, "stats_usage", f"period_{period}", text)
    repo = ctx.repo.stats
    report = {
        "requests": figures.request_figures(await repo.requests(period), now),
        "pages": figures.page_figures(await repo.pages(period)),
        "reminders": figures.reminder_figures(await repo.reminders(period)),
        "lessons": figures.lesson_figures(await repo.lessons(period)),
    }
    await audit(update, ctx, "staff_stats_viewed", f"stats:{period.name}",
                f"{period.start.isoformat()}/{period.end.isoformat()}")
    titles = {lesson.id: lesson.title for lesson in ctx.services.library.curriculum()}
    await send(ctx, update.effective_chat.id, "stats", period=period,
               tier_names=tier_names(ctx), titles=titles, **report)
    raise ApplicationHandlerStop


def register(app: Application, group: int) -> None:
    where = staff_chats(app.bot_data["services"].settings)
    app.add_handler(staff_handler(CommandHandler("stats", stats, filters=where),
                                  Role.CLINICIAN), group)
