"""Telegram's flood limits, with two other lanes.

URGENT (crisis replies and pages) never waits behind a backlog, but still honours a 429's
retry_after: skipping the queue must not mean giving up. PACED is for the reminder
dispatcher, which spaces its own sends below the global limit and handles 429 itself.
"""

import asyncio
import logging
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter

from bot.timing import retry_seconds

log = logging.getLogger(__name__)

URGENT = -1
PACED = -2
URGENT_TRIES = 4


class SafetyFirstLimiter(AIORateLimiter):
    async def process_request(self, callback, args, kwargs, endpoint, data,
                              rate_limit_args: int | None) -> Any:
        if rate_limit_args == PACED:
            return await callback(*args, **kwargs)
        if rate_limit_args != URGENT:
            return await super().process_request(callback, args, kwargs, endpoint, data,
                                                 rate_limit_args)
        for attempt in range(URGENT_TRIES):
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt == URGENT_TRIES - 1:
                    raise
                pause = retry_seconds(exc)
                log.warning("urgent %s hit a flood limit; retrying in %s s", endpoint, pause)
                await asyncio.sleep(pause)
        raise AssertionError("unreachable")
