"""Telegram-like flood limits over sliding windows."""

import math
from collections import defaultdict, deque
from dataclasses import dataclass

from bot.standin.state import ApiError


@dataclass(frozen=True)
class FloodLimits:
    per_second: int = 30
    per_chat_per_second: int = 1
    per_group_per_minute: int = 20


class Flood:
    """Remembers when sends were accepted and refuses those over the limits with a 429."""

    def __init__(self) -> None:
        self.everywhere: deque[float] = deque()
        self.by_chat: defaultdict[int, deque[float]] = defaultdict(deque)

    def admit(self, limits: FloodLimits, chat_id: int, group: bool, now: float) -> None:
        chat = self.by_chat[chat_id]
        if group:
            chat_wait = _wait(chat, 60.0, limits.per_group_per_minute, now)
        else:
            chat_wait = _wait(chat, 1.0, limits.per_chat_per_second, now)
        wait = max(_wait(self.everywhere, 1.0, limits.per_second, now), chat_wait)
        if wait > 0:
            retry = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})
        self.everywhere.append(now)
        chat.append(now)


def _wait(times: deque[float], window: float, limit: int, now: float) -> float:
    """Seconds until one more send fits in the window (0 if it fits now)."""
    while times and times[0] <= now - window:
        times.popleft()
    if len(times) < limit:
        return 0.0
    return times[-limit] + window - now
