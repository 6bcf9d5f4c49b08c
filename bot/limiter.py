"""Telegram's flood limits, shared by four lanes.

URGENT (safety messages to a person) never waits and is not retried here: the outbox
retries it. PRIORITY (pages to staff) waits for room but goes before every ordinary call.
PACED (the reminder dispatcher) spaces its own sends and handles 429 itself. Every other
call with a chat waits its turn.

Waiting sends get at most `per_second - reserve` of Telegram's `per_second` in any second,
and never more than `per_second` in all: the reserve is what lets a crisis reply go out at
once while the ordinary lane is saturated, and it grows while crisis replies outrun it.
A private chat gets at most `per_chat` a second
and a group `group_per_minute`. A waiting call that still meets a 429 pauses the waiting
lanes for `retry_after` and is tried again, as AIORateLimiter does.
"""

import asyncio
import logging
import math
import time
from collections import defaultdict, deque
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.timing import retry_seconds

log = logging.getLogger(__name__)

URGENT = -1
PACED = -2
PRIORITY = -3
TIDY_EVERY = 1000
URGENT_SPAN = 2.0  # seconds of crisis replies the reserve follows

Chat = int | str


class Window:
    """Sends within the last `span` seconds, counted as the Bot API counts them.

    The Bot API counts a send when it arrives, which is after we start it and before its
    answer comes back. So a send counts from its start until `span` after its answer: our
    count is never lower than Telegram's, however late a request travels.
    """

    def __init__(self, span: float, limit: int) -> None:
        self.span, self.limit = span, limit
        self.done: deque[float] = deque()
        self.flying = 0

    def wait(self, now: float) -> float:
        """Seconds until one more send fits (0 if it fits now)."""
        while self.done and self.done[0] <= now - self.span:
            self.done.popleft()
        over = len(self.done) + self.flying - self.limit
        if over < 0:
            return 0.0
        if over >= len(self.done):
            return 0.01
        return self.done[over] + self.span - now

    def start(self) -> None:
        self.flying += 1

    def end(self, now: float) -> None:
        self.flying -= 1
        self.done.append(now)

    @property
    def idle(self) -> bool:
        return not self.flying and not self.done


class Lanes(BaseRateLimiter[int]):
    def __init__(self, per_second: int = 30, reserve: int = 2, per_chat: int = 1,
                 group_per_minute: int = 20, max_retries: int = 3,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        if not 0 <= reserve < per_second:
            raise ValueError("the reserve must leave room for ordinary sends")
        self.per_chat, self.group_per_minute = per_chat, group_per_minute
        self.max_retries, self.monotonic = max_retries, monotonic
        self.per_second, self.reserve = per_second, reserve
        self.sends = Window(1.0, per_second)
        self.waited = Window(1.0, per_second - reserve)
        self.urgent = Window(URGENT_SPAN, per_second)
        self.chats: dict[Chat, Window] = {}
        self.chat_turns: defaultdict[Chat, asyncio.Lock] = defaultdict(asyncio.Lock)
        self.turn = asyncio.Lock()
        self.priority_waiting = 0
        self.chat_pages: defaultdict[Chat, int] = defaultdict(int)
        self.paused_until = 0.0
        self.count = 0

    async def initialize(self) -> None:
        """Nothing to open: the windows live in memory."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def process_request(self, callback: Callable[..., Coroutine[Any, Any, Any]],
                              args: Any, kwargs: dict[str, Any], endpoint: str,
                              data: dict[str, Any], rate_limit_args: int | None) -> Any:
        chat = data.get("chat_id")
        if chat is None:
            return await callback(*args, **kwargs)
        if rate_limit_args in (URGENT, PACED):
            return await self.sent(callback, args, kwargs,
                                   self.go_now(chat, paced=rate_limit_args == PACED))
        for attempt in range(self.max_retries + 1):
            windows = await self.wait_turn(chat, rate_limit_args == PRIORITY)
            try:
                return await self.sent(callback, args, kwargs, windows)
            except RetryAfter as exc:
                if attempt == self.max_retries:
                    raise
                pause = retry_seconds(exc) + 0.1
                log.info("%s hit a flood limit; waiting sends pause %s s", endpoint, pause)
                self.paused_until = max(self.paused_until, self.monotonic() + pause)
        raise AssertionError("unreachable")

    async def sent(self, callback: Callable[..., Coroutine[Any, Any, Any]], args: Any,
                   kwargs: dict[str, Any], windows: list[Window]) -> Any:
        try:
            return await callback(*args, **kwargs)
        finally:
            now = self.monotonic()
            for window in windows:
                window.end(now)
            self.tidy()

    async def wait_turn(self, chat: Chat, priority: bool) -> list[Window]:
        window = self.window(chat)
        if priority:
            self.chat_pages[chat] += 1
            try:
                while True:
                    await self.wait_until(window.wait)
                    self.priority_waiting += 1  # only now: ordinary sends yield the room
                    try:
                        await self.wait_until(self.room)
                    finally:
                        self.priority_waiting -= 1
                    if not window.wait(self.monotonic()):
                        return self.start(window)
            finally:
                self.chat_pages[chat] -= 1
                if not self.chat_pages[chat]:
                    del self.chat_pages[chat]
        async with self.chat_turns[chat]:
            while True:
                await self.wait_until(lambda now: window.wait(now) or self.paging(chat))
                async with self.turn:
                    await self.wait_until(self.room_after_priority)
                    # A page to this chat may have gone while we waited for the turn.
                    if not (window.wait(self.monotonic()) or self.paging(chat)):
                        return self.start(window)

    def start(self, window: Window) -> list[Window]:
        windows = [self.sends, self.waited, window]
        for each in windows:
            each.start()
        return windows

    def paging(self, chat: Chat) -> float:
        """A short pause for an ordinary send while a page to the same chat waits."""
        return 0.005 if self.chat_pages.get(chat) else 0.0

    def go_now(self, chat: Chat, paced: bool) -> list[Window]:
        """Count a send that does not wait. A group already at its limit is refused here, as
        Telegram would refuse it, without spending a call. Paced sends (reminders) count
        against the waiting lanes' share too, so they never eat into the reserve."""
        window = self.window(chat)
        if is_group(chat) and (wait := window.wait(self.monotonic())) > 0:
            raise RetryAfter(timedelta(seconds=math.ceil(wait)))
        windows = [self.sends, window, *([self.waited] if paced else [self.urgent])]
        for each in windows:
            each.start()
        return windows

    def room(self, now: float) -> float:
        self.waited.limit = self.per_second - self.reserve_now(now)
        return max(self.paused_until - now, self.waited.wait(now), self.sends.wait(now))

    def reserve_now(self, now: float) -> int:
        """SAFETY_RESERVE, or more while crisis replies come faster than it allows: one
        more than their rate of the last URGENT_SPAN seconds, so that in a surge the
        waiting lanes yield the room and the replies meet no flood limit."""
        self.urgent.wait(now)  # forgets sends that left the span
        rate = math.ceil((len(self.urgent.done) + self.urgent.flying) / URGENT_SPAN)
        return min(max(self.reserve, rate + 1 if rate else 0), self.per_second - 1)

    def room_after_priority(self, now: float) -> float:
        return self.room(now) or (0.005 if self.priority_waiting else 0.0)

    def window(self, chat: Chat) -> Window:
        if chat not in self.chats:
            self.chats[chat] = (Window(60.0, self.group_per_minute) if is_group(chat)
                                else Window(1.0, self.per_chat))
        return self.chats[chat]

    async def wait_until(self, wait: Callable[[float], float]) -> None:
        while (pause := wait(self.monotonic())) > 0:  # noqa: ASYNC110 - waiting on time itself
            await asyncio.sleep(pause)

    def tidy(self) -> None:
        """Forget idle chats now and then, so memory stays flat."""
        self.count += 1
        if self.count % TIDY_EVERY:
            return
        now = self.monotonic()
        for chat, window in list(self.chats.items()):
            window.wait(now)
            lock = self.chat_turns.get(chat)
            if window.idle and (lock is None or not lock.locked()):
                del self.chats[chat]
                self.chat_turns.pop(chat, None)


def is_group(chat: Chat) -> bool:
    try:
        return int(chat) < 0
    except (TypeError, ValueError):
        return True
