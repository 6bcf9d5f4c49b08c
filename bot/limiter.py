"""Telegram's flood limits, with a fast lane: crisis replies never wait behind a backlog."""

from typing import Any

from telegram.ext import AIORateLimiter

URGENT = -1


class SafetyFirstLimiter(AIORateLimiter):
    async def process_request(self, callback, args, kwargs, endpoint, data,
                              rate_limit_args: int | None) -> Any:
        if rate_limit_args == URGENT:
            return await callback(*args, **kwargs)
        return await super().process_request(callback, args, kwargs, endpoint, data,
                                             rate_limit_args)
