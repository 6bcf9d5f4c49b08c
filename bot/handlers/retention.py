"""The daily purge of records past the profile's `[retention]` periods."""

import logging
from datetime import time

from bot.domain import retention
from bot.handlers import staff
from bot.services import Ctx

log = logging.getLogger(__name__)

JOB = "retention-purge"
EVERY_DAY = (0, 1, 2, 3, 4, 5, 6)  # PTB counts 0 = Sunday; all seven either way


async def purge(ctx: Ctx) -> None:
    """Delete what is due, then write one audit row of counts, leave no copy in the WAL and
    clear the alerts of the requests deleted."""
    if ctx.services.repo is None:
        return
    cutoffs = retention.due(ctx.clock.now(), ctx.profile.retention)
    purged = await ctx.repo.retention.purge(cutoffs)
    await ctx.repo.audit.record(None, "retention_purge", "retention", purged.detail())
    if not await ctx.repo.checkpoint():
        log.warning("the WAL checkpoint after the retention purge was incomplete")
    for request_id, shown in purged.alerts.items():
        await staff.clear(ctx, request_id, shown, "purged")


def add_jobs(app, at: time) -> None:
    """Daily at `at`, a clinic-time time of day."""
    app.job_queue.run_daily(purge, time=at, days=EVERY_DAY, name=JOB)
