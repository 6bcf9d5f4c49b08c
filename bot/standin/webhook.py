"""Delivers pending updates to the webhook, one at a time and in order.

Like Telegram, a failed update stays at the head of the queue and is retried with growing pauses
(short ones here) until it is delivered or the webhook changes; nothing is dropped.
"""

import asyncio
import contextlib
import logging
import time

import httpx

from bot.standin.state import Stats
from bot.standin.updates import UpdateQueue

log = logging.getLogger(__name__)


class Webhook:
    def __init__(
        self, queue: UpdateQueue, stats: Stats, backoff: float = 0.05, max_backoff: float = 1.0
    ) -> None:
        self.queue = queue
        self.stats = stats
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.url = ""
        self.secret: str | None = None
        self.max_connections = 40
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self._task: asyncio.Task | None = None

    def set(self, url: str, secret: str | None, max_connections: int) -> None:
        """Set (or with an empty url remove) the webhook; a waiting retry starts at once."""
        self.url, self.secret, self.max_connections = url, secret, max_connections
        self.last_error_date = self.last_error_message = None
        self.queue.wake()

    def info(self) -> dict:
        info: dict = {"url": self.url, "has_custom_certificate": False}
        info["pending_update_count"] = len(self.queue.pending)
        if self.url:
            info["max_connections"] = self.max_connections
            if self.queue.allowed is not None:
                info["allowed_updates"] = sorted(self.queue.allowed)
        if self.last_error_message:
            info["last_error_date"] = self.last_error_date
            info["last_error_message"] = self.last_error_message
        return info

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="standin-webhook")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        await self._ready()
        # Made only once needed: creating a client costs ~20 ms, much of a fast test.
        async with httpx.AsyncClient(timeout=10.0) as client:
            failures = 0
            while True:
                url, update = self.url, self.queue.pending[0]
                error = await self._post(client, update)
                if error is None:
                    failures = 0
                    self.stats.webhook_deliveries += 1
                    if self.queue.pending and self.queue.pending[0] is update:
                        self.queue.pending.pop(0)
                else:
                    failures += 1
                    self.stats.webhook_failures += 1
                    self.last_error_date, self.last_error_message = int(time.time()), error
                    log.debug(
                        "webhook delivery of update %s failed: %s", update["update_id"], error
                    )
                    await self._pause(min(self.backoff * 2 ** (failures - 1), self.max_backoff))
                    if self.url != url:
                        failures = 0
                await self._ready()

    async def _post(self, client: httpx.AsyncClient, update: dict) -> str | None:
        """POST one update; the error Telegram would report, or None when it was accepted."""
        headers = {"X-Telegram-Bot-Api-Secret-Token": self.secret} if self.secret else {}
        try:
            response = await client.post(self.url, json=update, headers=headers)
        except httpx.ConnectError:
            return "Connection refused"
        except httpx.TimeoutException:
            return "Timeout expired"
        except httpx.HTTPError as exc:
            return type(exc).__name__
        if response.is_success:
            return None
        return f"Wrong response from the webhook: {response.status_code} {response.reason_phrase}"

    async def _pause(self, seconds: float) -> None:
        """Sleep, but wake early when the queue or the webhook changes."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self.queue.next_change()

    async def _ready(self) -> None:
        while not (self.url and self.queue.pending):
            await self.queue.next_change()
