"""Injected faults, as PTB's own HTTP stack sees them."""

from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from bot.standin import StandIn
from tests.standin.conftest import TOKEN, FakeClock


@pytest.fixture
async def bot(api: StandIn) -> AsyncIterator[Bot]:
    request = HTTPXRequest(read_timeout=0.2)
    async with Bot(TOKEN, base_url=api.base_url, request=request) as bot:
        yield bot


async def test_server_error_for_a_while(api: StandIn, bot: Bot, clock: FakeClock) -> None:
    api.person(1001, "Alice")
    api.fail(seconds=10)
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(1001, "one")
    assert not api.messages(1001)
    clock.now += 10
    await bot.send_message(1001, "two")
    assert [m.text for m in api.messages(1001)] == ["two"]


async def test_server_error_only_in_one_chat(api: StandIn, bot: Bot) -> None:
    api.person(1001, "Alice")
    api.person(1002, "Bob")
    api.fail(times=1, chat_id=1002)
    await bot.send_message(1001, "fine")
    with pytest.raises(NetworkError):
        await bot.send_message(1002, "lost")
    await bot.send_message(1002, "again")
    assert [m.text for m in api.messages(1002)] == ["again"]


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_throttle_gives_retry_after(api: StandIn, bot: Bot, clock: FakeClock) -> None:
    api.person(1001, "Alice")
    api.throttle(seconds=20, retry_after=5)
    with pytest.raises(RetryAfter, match="Retry in 5 seconds"):
        await bot.send_message(1001, "one")
    clock.now += 20
    await bot.send_message(1001, "two")


async def test_stall_delivers_but_answers_too_late(api: StandIn, bot: Bot) -> None:
    api.person(1001, "Alice")
    api.stall(0.5, times=1)
    with pytest.raises(TimedOut):
        await bot.send_message(1001, "slow")
    assert [m.text for m in api.messages(1001)] == ["slow"]
    await bot.send_message(1001, "quick")
    assert api.faults.hits == 1
