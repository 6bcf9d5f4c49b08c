"""Telegram's flood limits, with two other lanes.

URGENT (crisis replies and pages) never waits behind a backlog. PACED is for the reminder
dispatcher, which spaces its own sends below the global limit and so must not be held up
a second time here.
"""

from typing import Any

from telegram.ext import AIORateLimiter

URGENT = -1
PACED = -2


class SafetyFirstLimiter(AIORateLimiter):
    async def process_request(self, callback, args, kwargs, endpoint, data,
                              rate_limit_args: int | None) -> Any:
        if rate_limit_args in (URGENT, PACED):
            return await callback(*args, **kwargs)
        return await super().process_request(callback, args, kwargs, endpoint, data,
                                             rate_limit_args)
