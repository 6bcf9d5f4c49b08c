"""The safety lane at ingress, as PTB's update processor.

Each update is screened as it arrives, before it waits for a processing slot. Crisis
updates run at once, whatever the backlog. The rest take turns: one update at a time per
chat, in order, chats served round-robin, at most `slots` at once. A chat may have at most
`per_chat` updates waiting, and all chats together `waiting`: past that the oldest ordinary
update is dropped and counted, so one flooding chat cannot delay the others and memory
stays bounded. Crisis updates are never dropped.
"""

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)

Key = int


class Lane(BaseUpdateProcessor):
    def __init__(self, urgent: Callable[[Update], bool], *, slots: int = 64,
                 per_chat: int = 32, waiting: int = 4096) -> None:
        super().__init__(max_concurrent_updates=2**30)
        self.urgent = urgent
        self.slots, self.per_chat, self.cap = slots, per_chat, waiting
        self.queues: dict[Key, deque[asyncio.Future[bool]]] = {}
        self.ready: deque[Key] = deque()
        self.busy: set[Key] = set()
        self.running = 0
        self.waiting = 0
        self.crises = 0
        self.dropped = 0

    async def initialize(self) -> None:
        """Nothing to open: the queues live in memory."""

    async def shutdown(self) -> None:
        for queue in self.queues.values():
            while queue:
                self.drop(queue.popleft())
        self.queues.clear()
        self.ready.clear()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if self.hot(update):
            self.crises += 1
            await coroutine
            return
        key = chat_of(update)
        turn = self.enqueue(key)
        try:
            go = await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled() and turn.result():
                self.release(key)
            else:
                self.forget(key, turn)
            close(coroutine)
            raise
        if not go:
            close(coroutine)
            return
        try:
            await coroutine
        finally:
            self.release(key)

    def release(self, key: Key) -> None:
        """The chat's update is done: its next one may run."""
        self.running -= 1
        self.busy.discard(key)
        if self.queues.get(key):
            self.ready.append(key)
        self.dispatch()

    def hot(self, update: object) -> bool:
        if not isinstance(update, Update):
            return False
        try:
            return self.urgent(update)
        except Exception:
            log.exception("screening update %s at ingress failed", update.update_id)
            return False

    def enqueue(self, key: Key) -> "asyncio.Future[bool]":
        turn: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        queue = self.queues.get(key)
        if queue is None:
            queue = self.queues[key] = deque()
            if key not in self.busy:
                self.ready.append(key)
        queue.append(turn)
        self.waiting += 1
        if len(queue) > self.per_chat:
            self.drop(queue.popleft())
        elif self.waiting > self.cap:
            longest = max(self.queues, key=lambda chat: len(self.queues[chat]))
            self.drop(self.queues[longest].popleft())
            if not self.queues[longest]:
                del self.queues[longest]
        self.dispatch()
        return turn

    def dispatch(self) -> None:
        while self.ready and self.running < self.slots:
            key = self.ready.popleft()
            queue = self.queues.get(key)
            if not queue or key in self.busy:
                continue
            turn = queue.popleft()
            if not queue:
                del self.queues[key]
            self.waiting -= 1
            self.busy.add(key)
            self.running += 1
            turn.set_result(True)

    def drop(self, turn: "asyncio.Future[bool]") -> None:
        self.waiting -= 1
        self.dropped += 1
        if not turn.done():
            turn.set_result(False)

    def forget(self, key: Key, turn: "asyncio.Future[bool]") -> None:
        queue = self.queues.get(key)
        if queue is not None and turn in queue:
            queue.remove(turn)
            self.waiting -= 1
            if not queue:
                del self.queues[key]


def chat_of(update: object) -> Key:
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return 0


def close(coroutine: Awaitable[Any]) -> None:
    """A dropped update's coroutine never ran; close it so Python does not warn."""
    if hasattr(coroutine, "close"):
        coroutine.close()
