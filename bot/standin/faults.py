"""Injected faults: Telegram sometimes answers 500 or 429 for a while, or answers too late.

An error fault refuses matching calls before they run. A slow fault lets the call run (the
message is delivered) and holds the answer back, as a response lost past the client's read
timeout would be.
"""

from dataclasses import dataclass

from bot.standin.state import ApiError


@dataclass
class Fault:
    method: str | None
    chat_id: int | None
    until: float | None
    times: int | None
    error: ApiError | None = None
    delay: float = 0.0

    def matches(self, method: str, chat_id: object, now: float) -> bool:
        if self.until is not None and now >= self.until:
            return False
        if self.times is not None and self.times <= 0:
            return False
        if self.method is not None and self.method.lower() != method.lower():
            return False
        return self.chat_id is None or str(self.chat_id) == str(chat_id)

    def use(self) -> None:
        if self.times is not None:
            self.times -= 1


class Faults:
    def __init__(self) -> None:
        self.active: list[Fault] = []
        self.hits = 0

    def add(self, fault: Fault) -> Fault:
        self.active.append(fault)
        return fault

    def clear(self) -> None:
        self.active.clear()

    def error(self, method: str, chat_id: object, now: float) -> ApiError | None:
        fault = self._take(method, chat_id, now, slow=False)
        return fault.error if fault else None

    def delay(self, method: str, chat_id: object, now: float) -> float:
        fault = self._take(method, chat_id, now, slow=True)
        return fault.delay if fault else 0.0

    def _take(self, method: str, chat_id: object, now: float, *, slow: bool) -> Fault | None:
        for fault in self.active:
            if (fault.delay > 0) == slow and fault.matches(method, chat_id, now):
                fault.use()
                self.hits += 1
                return fault
        return None


DESCRIPTIONS = {403: "Forbidden: bot was blocked by the user", 500: "Internal Server Error",
                502: "Bad Gateway"}


def server_error(seconds: float | None, times: int | None, now: float, status: int = 500,
                 **where) -> Fault:
    error = ApiError(status, DESCRIPTIONS[status])
    return Fault(until=_until(seconds, now), times=times, error=error, **where)


def flood(seconds: float | None, retry_after: int, now: float, **where) -> Fault:
    error = ApiError(429, f"Too Many Requests: retry after {retry_after}",
                     {"retry_after": retry_after})
    return Fault(until=_until(seconds, now), times=None, error=error, **where)


def slow(delay: float, times: int, **where) -> Fault:
    return Fault(until=None, times=times, delay=delay, **where)


def _until(seconds: float | None, now: float) -> float | None:
    return None if seconds is None else now + seconds
