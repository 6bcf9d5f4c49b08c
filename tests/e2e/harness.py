"""Run the real Application against the stand-in, over real HTTP, in this event loop."""

import asyncio
import logging
import socket
from pathlib import Path

from telegram.ext import Application

from bot.app import build_application
from bot.clock import Clock
from bot.config import Settings, load_settings
from bot.profile import Profile
from bot.runner import serve
from bot.standin import StandIn

STAFF_CHAT = -1001234567890
STAFF_IDS = (501, 502)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def settings_for(api: StandIn, db: Path, mode: str = "polling", **extra: object) -> Settings:
    values: dict[str, object] = {
        "telegram_bot_token": api.token,
        "telegram_api_base_url": api.base_url,
        "database_path": db,
        "staff_chat_id": STAFF_CHAT,
        "staff_user_ids": ",".join(map(str, STAFF_IDS)),
        "bot_mode": mode,
        # The stand-in enforces no flood limits unless a test sets them; pacing replies at
        # Telegram's one a second per chat would only slow every conversation here.
        "flood_per_chat": 30,
    }
    if mode == "webhook":
        port = free_port()
        values |= {"webhook_url": f"http://127.0.0.1:{port}/telegram-hook",
                   "webhook_listen": "127.0.0.1", "webhook_port": port,
                   "webhook_secret": "correct-horse-battery"}
    return load_settings(**(values | extra))


class Running:
    """One bot process, in-process: start, stop, restart with the same database."""

    def __init__(self, settings: Settings, profile: Profile, clock: Clock) -> None:
        self.settings, self.profile, self.clock = settings, profile, clock
        self.app: Application | None = None
        self._stop = asyncio.Event()
        self._task: asyncio.Task | None = None

    async def start(self) -> "Running":
        self.app = build_application(self.settings, self.profile, clock=self.clock)
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(serve(self.app, self.settings, self._stop))
        async with asyncio.timeout(10):
            while not (self.app.running and self.app.updater.running):
                if self._task.done():
                    self._task.result()
                await asyncio.sleep(0.01)
        return self

    async def stop(self) -> None:
        if self._task is None:
            return
        self._stop.set()
        async with asyncio.timeout(20):
            await self._task
        self._task = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    @property
    def repo(self):
        return self.app.bot_data["services"].repo

    async def tick(self, job: str = "deadline-watcher") -> None:
        """Run a repeating job now, as its next scheduled run would."""
        (found,) = self.app.job_queue.get_jobs_by_name(job)
        await found.run(self.app)


async def eventually(predicate, within: float = 5.0):
    """Poll for state the stand-in has no event for, such as callback answers."""
    async with asyncio.timeout(within):
        while not (found := predicate()):  # noqa: ASYNC110 - nothing to wait on but time
            await asyncio.sleep(0.01)
    return found


async def eventually_async(check, within: float = 5.0) -> None:
    """The same for an async check, such as a database read."""
    async with asyncio.timeout(within):
        while not await check():  # noqa: ASYNC110 - the database has no event to wait on
            await asyncio.sleep(0.01)


class ErrorTrap(logging.Handler):
    """Collects every error logged inside the bot, so a test fails on a swallowed exception."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
