"""The bot's pending updates, shared by long polling and webhook delivery."""

import asyncio
import contextlib

NOT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class UpdateQueue:
    def __init__(self) -> None:
        self.pending: list[dict] = []
        self.allowed: frozenset[str] | None = None
        self.closed = False
        self._next_id = 1
        self._pulse = asyncio.Event()

    def push(self, kind: str, payload: dict) -> dict:
        """Create an update; like Telegram, types the bot did not ask for are never queued."""
        update = {"update_id": self._next_id, kind: payload}
        self._next_id += 1
        wanted = kind not in NOT_BY_DEFAULT if self.allowed is None else kind in self.allowed
        if wanted:
            self.pending.append(update)
            self.wake()
        return update

    def allow(self, kinds: list[str] | None) -> None:
        if kinds is not None:
            self.allowed = frozenset(kinds) or None

    def confirm(self, offset: int) -> None:
        if offset < 0:
            del self.pending[:offset]
        else:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]

    def wake(self) -> None:
        self._pulse.set()
        self._pulse = asyncio.Event()

    async def next_change(self) -> None:
        await self._pulse.wait()

    async def wait(self, seconds: float) -> None:
        """Return when an update is pending, the queue closes or ``seconds`` pass."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                while not self.pending and not self.closed:
                    await self.next_change()

    def close(self) -> None:
        self.closed = True
        self.wake()
