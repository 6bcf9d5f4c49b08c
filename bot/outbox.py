"""The one way out for safety messages: crisis replies, pages, re-pages and follow-ups.

`post` makes the first attempt at once, on the urgent lane, while the letter's row is
written beside it: a locked or failing database never delays a send, and the row catches
up. A letter that is not delivered is retried by the policy in bot/domain/delivery.py, and
letters still pending when the process dies are resumed from their rows at start-up.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from uuid import uuid4

import httpx
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.clock import Clock
from bot.domain.delivery import Outcome, Policy, after, expired
from bot.handlers.common import markup
from bot.limiter import PRIORITY, URGENT
from bot.storage import Repo
from bot.storage.outbox import TO_PERSON, Letter
from bot.timing import retry_seconds

log = logging.getLogger(__name__)

Settled = Callable[[Letter], Awaitable[None]]


def new_key() -> str:
    return uuid4().hex


class Outbox:
    def __init__(self, bot: Bot, repo: Callable[[], Repo | None], clock: Clock,
                 policy: Policy, settled: Settled) -> None:
        self.bot, self.repo, self.clock, self.policy = bot, repo, clock, policy
        self.settled = settled
        self.pages = policy.model_copy(update={"unknown_outcomes": None})
        self.letters: dict[str, Letter] = {}
        self.kept: dict[str, list[str]] = {}
        self.dirty: dict[str, int] = {}
        self.versions: dict[str, int] = {}
        self.tasks: set[asyncio.Task] = set()
        self.finishing: set[asyncio.Task] = set()
        self.wake = asyncio.Event()
        self.writer: asyncio.Task | None = None
        self.closed = False

    async def start(self) -> None:
        """Start writing rows, and resume what an earlier run left undelivered."""
        self.writer = asyncio.create_task(self.write_rows())
        if self.repo() is not None:
            await self.resume()

    async def resume(self) -> None:
        try:
            pending = await self.repo().outbox.pending()
        except Exception as exc:
            log.error("could not read the outbox to resume it: %s", type(exc).__name__)
            return
        for letter in pending:
            if letter.key not in self.letters:
                self.letters[letter.key] = letter
                self.spawn(self.retry(letter, 0.0))
        if pending:
            log.info("resuming %s undelivered safety messages", len(pending))

    async def stop(self) -> None:
        """Pending letters stay pending in their rows, for the next run. Runs while the bot
        can still send, so notices about letters that just ended still go out."""
        self.closed = True
        if self.finishing:
            await asyncio.wait(self.finishing, timeout=5)
        for task in list(self.tasks | self.finishing):
            task.cancel()
        await asyncio.gather(*self.tasks, *self.finishing, return_exceptions=True)
        if self.writer is not None:
            self.writer.cancel()
            await asyncio.gather(self.writer, return_exceptions=True)
        await self.write_once()

    @property
    def backlog(self) -> int:
        return sum(not letter.progress.status.done for letter in self.letters.values())

    async def post(self, letter: Letter, kept: list[str] | None = None) -> Letter:
        """Send now; retry in the background if that fails. `kept` is what the row may hold
        when `letter.parts` carries words that must never be stored."""
        if kept is not None:
            self.kept[letter.key] = kept
        self.mark(letter)
        if self.closed:  # shutting down: the next run sends it
            return letter
        wait = await self.attempt(letter)
        if wait is not None:
            self.spawn(self.retry(letter, wait))
        return letter

    def mark(self, letter: Letter) -> None:
        """The letter changed: write its row soon."""
        self.letters[letter.key] = letter
        self.versions[letter.key] = self.versions.get(letter.key, 0) + 1
        self.dirty[letter.key] = self.versions[letter.key]
        self.wake.set()

    async def retry(self, letter: Letter, wait: float | None) -> None:
        while wait is not None and not self.closed:
            await asyncio.sleep(wait)
            wait = await self.attempt(letter)

    async def attempt(self, letter: Letter) -> float | None:
        if (late := expired(letter.progress, self.clock.now())) is not None:
            letter.progress = late
            self.end(letter)
            return None
        outcome, retry_after = await self.send(letter)
        policy = self.policy if letter.kind in TO_PERSON else self.pages
        step = after(letter.progress, outcome, self.clock.now(), policy, retry_after)
        letter.progress = step.progress
        if step.wait is None:
            self.end(letter)
            return None
        if outcome is not Outcome.FLOOD:
            log.warning("safety %s %s not delivered (%s, attempt %s); retrying in %s s",
                        letter.kind, letter.key[:8], letter.error, step.progress.attempts,
                        step.wait)
        self.mark(letter)
        return step.wait

    def end(self, letter: Letter) -> None:
        letter.done_at = self.clock.now()
        self.mark(letter)
        task = asyncio.ensure_future(self.finish(letter))
        self.finishing.add(task)
        task.add_done_callback(self.finishing.discard)

    async def send(self, letter: Letter) -> tuple[Outcome, float]:
        try:
            while letter.sent_parts < len(letter.parts):
                last = letter.sent_parts == len(letter.parts) - 1
                keys = markup(letter.buttons) if last and letter.buttons else None
                lane = URGENT if letter.kind in TO_PERSON else PRIORITY
                sent = await self.bot.send_message(letter.chat_id, letter.parts[letter.sent_parts],
                                                   reply_markup=keys, rate_limit_args=lane)
                letter.sent_parts += 1
                letter.message_id = sent.message_id
            letter.error = None
            return Outcome.SENT, 0.0
        except Exception as exc:
            letter.error = type(exc).__name__
            return classify(exc)

    async def finish(self, letter: Letter) -> None:
        try:
            await self.settled(letter)
        except Exception:
            log.exception("could not act on the outcome of a safety %s", letter.kind)

    def spawn(self, coroutine: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def write_rows(self) -> None:
        pause = 0.1
        while True:
            await self.wake.wait()
            self.wake.clear()
            if await self.write_once():
                pause = 0.1
                continue
            await asyncio.sleep(pause)
            pause = min(pause * 2, 5.0)
            self.wake.set()

    async def write_once(self) -> bool:
        if not self.dirty:
            return True
        wrote = dict(self.dirty)
        letters = [self.letter(key) for key in wrote]
        try:
            repo = self.repo()
            if repo is None:
                raise RuntimeError("the database is not open")
            await repo.outbox.save(letters)
        except Exception as exc:
            log.warning("outbox rows not written yet (%s); the sends go on", type(exc).__name__)
            return False
        for key, version in wrote.items():
            if self.dirty.get(key) != version:
                continue
            del self.dirty[key]
            if self.letters[key].progress.status.done:
                for held in (self.letters, self.kept, self.versions):
                    held.pop(key, None)
        return True

    def letter(self, key: str) -> Letter:
        """The letter as its row may hold it."""
        letter = self.letters[key]
        if key not in self.kept:
            return letter
        return letter.model_copy(update={"parts": self.kept[key]})


# Request never left, so it cannot have arrived; or it left and the answer was lost.
NOT_SENT = (httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ConnectError)
MAYBE_SENT = (httpx.ReadTimeout, httpx.ReadError, httpx.RemoteProtocolError)


def classify(exc: Exception) -> tuple[Outcome, float]:
    """What a failed send proves. BadRequest and TimedOut subclass NetworkError, and PTB
    keeps httpx's error as the cause, which tells whether the request left at all."""
    if isinstance(exc, Forbidden):
        return Outcome.BLOCKED, 0.0
    if isinstance(exc, RetryAfter):
        return Outcome.FLOOD, retry_seconds(exc)
    if isinstance(exc, BadRequest):
        return Outcome.REFUSED, 0.0
    if isinstance(exc.__cause__, NOT_SENT):
        return Outcome.FAILED, 0.0
    if isinstance(exc, TimedOut) or isinstance(exc.__cause__, MAYBE_SENT):
        return Outcome.TIMEOUT, 0.0
    if not isinstance(exc, NetworkError):
        log.error("unexpected error sending a safety message: %s", type(exc).__name__)
    return Outcome.FAILED, 0.0
