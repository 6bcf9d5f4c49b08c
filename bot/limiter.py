"""Telegram's flood limits, shared by three lanes.

URGENT (safety messages) never waits and is not retried here: the outbox retries it.
PACED (the reminder dispatcher) spaces its own sends and handles 429 itself.
Every other call with a chat waits its turn: at most `per_second - reserve` of them in any
second, and never more than `per_second` sends in all. The reserve is what lets a crisis
reply go out at once while the ordinary lane is saturated. A group also gets at most
`group_per_minute`. An ordinary call that still meets a 429 pauses the ordinary lane for
`retry_after` and is tried again, as AIORateLimiter does.
"""

import asyncio
import logging
import time
from collections import defaultdict, deque
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.timing import retry_seconds

log = logging.getLogger(__name__)

URGENT = -1
PACED = -2


class Lanes(BaseRateLimiter[int]):
    def __init__(self, per_second: int = 30, reserve: int = 1, group_per_minute: int = 20,
                 max_retries: int = 3, monotonic: Callable[[], float] = time.monotonic) -> None:
        if not 0 <= reserve < per_second:
            raise ValueError("the reserve must leave room for ordinary sends")
        self.per_second, self.ordinary_cap = per_second, per_second - reserve
        self.group_per_minute, self.max_retries = group_per_minute, max_retries
        self.monotonic = monotonic
        self.sends: deque[float] = deque()
        self.ordinary: deque[float] = deque()
        self.groups: defaultdict[int | str, deque[float]] = defaultdict(deque)
        self.group_turns: defaultdict[int | str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self.turn = asyncio.Lock()
        self.paused_until = 0.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def process_request(self, callback: Callable[..., Coroutine[Any, Any, Any]],
                              args: Any, kwargs: dict[str, Any], endpoint: str,
                              data: dict[str, Any], rate_limit_args: int | None) -> Any:
        chat = data.get("chat_id")
        if chat is None:
            return await callback(*args, **kwargs)
        if rate_limit_args in (URGENT, PACED):
            self.note(chat)
            return await callback(*args, **kwargs)
        for attempt in range(self.max_retries + 1):
            await self.wait_turn(chat)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt == self.max_retries:
                    raise
                pause = retry_seconds(exc) + 0.1
                log.info("%s hit a flood limit; the ordinary lane pauses %s s", endpoint, pause)
                self.paused_until = max(self.paused_until, self.monotonic() + pause)
        raise AssertionError("unreachable")

    async def wait_turn(self, chat: int | str) -> None:
        group = is_group(chat)
        if group:
            async with self.group_turns[chat]:
                await self.wait_until(lambda now: _wait(self.groups[chat], 60.0,
                                                        self.group_per_minute, now))
                self.groups[chat].append(self.monotonic())
        async with self.turn:
            await self.wait_until(self.room)
            now = self.monotonic()
            self.ordinary.append(now)
            self.sends.append(now)

    def room(self, now: float) -> float:
        return max(self.paused_until - now, _wait(self.ordinary, 1.0, self.ordinary_cap, now),
                   _wait(self.sends, 1.0, self.per_second, now))

    async def wait_until(self, wait: Callable[[float], float]) -> None:
        while (pause := wait(self.monotonic())) > 0:  # noqa: ASYNC110 - waiting on time itself
            await asyncio.sleep(pause)

    def note(self, chat: int | str) -> None:
        now = self.monotonic()
        self.sends.append(now)
        if is_group(chat):
            self.groups[chat].append(now)


def is_group(chat: int | str) -> bool:
    try:
        return int(chat) < 0
    except (TypeError, ValueError):
        return True


def _wait(times: deque[float], window: float, limit: int, now: float) -> float:
    """Seconds until one more send fits in the window (0 if it fits now)."""
    while times and times[0] <= now - window:
        times.popleft()
    if len(times) < limit:
        return 0.0
    return times[-limit] + window - now
