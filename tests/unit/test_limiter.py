import asyncio
from datetime import timedelta

import pytest
from telegram.error import RetryAfter

from bot.limiter import PACED, PRIORITY, URGENT, Lanes
from tests.standin.conftest import FakeClock as Clock


@pytest.fixture
def quick(monkeypatch):
    """The limiter's pauses yield briefly; the tests move its clock instead."""
    real = asyncio.sleep
    monkeypatch.setattr("bot.limiter.asyncio.sleep", lambda seconds: real(0.001))


def call_log():
    calls = []

    async def call(name):
        calls.append(name)
        return name

    return calls, call


async def send(limiter, call, name, chat=5, lane=None):
    return await limiter.process_request(call, (name,), {}, "sendMessage", {"chat_id": chat},
                                         lane)


async def test_urgent_and_paced_skip_a_full_ordinary_lane(quick):
    clock = Clock()
    limiter = Lanes(per_second=3, reserve=1, monotonic=clock)
    calls, call = call_log()
    await send(limiter, call, "one", chat=1)
    await send(limiter, call, "two", chat=2)
    waiting = asyncio.create_task(send(limiter, call, "queued", chat=3))
    await asyncio.sleep(0.05)
    assert not waiting.done()
    assert await send(limiter, call, "crisis", lane=URGENT) == "crisis"
    assert await send(limiter, call, "reminder", lane=PACED) == "reminder"
    assert calls == ["one", "two", "crisis", "reminder"]
    clock.now += 1.0
    assert await waiting == "queued"


async def test_ordinary_sends_leave_the_reserve_free():
    clock = Clock()
    limiter = Lanes(per_second=30, reserve=2, monotonic=clock)
    _calls, call = call_log()
    for n in range(28):
        await send(limiter, call, n, chat=n)
    assert limiter.room(clock.now) > 0
    clock.now += 1.0
    assert limiter.room(clock.now) == 0


async def test_urgent_sends_count_against_the_overall_limit():
    clock = Clock()
    limiter = Lanes(per_second=3, reserve=1, monotonic=clock)
    _calls, call = call_log()
    for n in range(3):
        await send(limiter, call, n, lane=URGENT)
    assert limiter.room(clock.now) == pytest.approx(1.0)


async def test_groups_get_their_own_per_minute_limit(quick):
    clock = Clock()
    limiter = Lanes(per_second=30, group_per_minute=2, monotonic=clock)
    calls, call = call_log()
    await send(limiter, call, "a", chat=-100)
    await send(limiter, call, "b", chat=-100)
    waiting = asyncio.create_task(send(limiter, call, "c", chat=-100))
    await send(limiter, call, "private", chat=7)
    await asyncio.sleep(0.05)
    assert calls == ["a", "b", "private"] and not waiting.done()
    clock.now += 60
    assert await waiting == "c"


async def test_calls_without_a_chat_are_not_limited():
    limiter = Lanes(per_second=1, reserve=0)
    calls, call = call_log()
    for n in range(5):
        await limiter.process_request(call, (n,), {}, "getUpdates", {}, None)
    assert calls == [0, 1, 2, 3, 4]


async def test_ordinary_retries_after_a_429_and_pauses_the_lane(monkeypatch):
    clock = Clock()
    limiter = Lanes(monotonic=clock)
    slept = []

    async def fake_sleep(seconds):
        slept.append(seconds)
        clock.now += seconds

    monkeypatch.setattr("bot.limiter.asyncio.sleep", fake_sleep)
    attempts = []

    async def flaky():
        attempts.append(1)
        if len(attempts) < 3:
            raise RetryAfter(timedelta(seconds=2))
        return "sent"

    assert await limiter.process_request(flaky, (), {}, "sendMessage", {"chat_id": 1}, None) \
        == "sent"
    assert sum(slept) == pytest.approx(4.2)


async def test_urgent_is_not_retried_here():
    limiter = Lanes()

    async def flooded():
        raise RetryAfter(timedelta(seconds=2))

    with pytest.raises(RetryAfter):
        await limiter.process_request(flooded, (), {}, "sendMessage", {"chat_id": 1}, URGENT)


def test_the_reserve_must_leave_room():
    with pytest.raises(ValueError, match="reserve"):
        Lanes(per_second=2, reserve=2)


async def test_urgent_to_a_full_group_is_refused_without_a_call():
    clock = Clock()
    limiter = Lanes(per_second=30, group_per_minute=1, monotonic=clock)
    calls, call = call_log()
    await send(limiter, call, "page", chat=-100, lane=URGENT)
    with pytest.raises(RetryAfter):
        await send(limiter, call, "second page", chat=-100, lane=URGENT)
    assert calls == ["page"]
    clock.now += 60
    await send(limiter, call, "third page", chat=-100, lane=URGENT)


async def test_a_private_chat_gets_its_own_limit_and_others_go_on(quick):
    clock = Clock()
    limiter = Lanes(per_second=30, per_chat=1, monotonic=clock)
    calls, call = call_log()
    await send(limiter, call, "first", chat=1)
    waiting = asyncio.create_task(send(limiter, call, "second", chat=1))
    await send(limiter, call, "other", chat=2)
    await asyncio.sleep(0.05)
    assert calls == ["first", "other"] and not waiting.done()
    clock.now += 1.2
    assert await waiting == "second"


async def test_pages_go_before_ordinary_sends(quick):
    clock = Clock()
    limiter = Lanes(per_second=2, reserve=1, monotonic=clock)
    calls, call = call_log()
    await send(limiter, call, "fills the second", chat=1)
    ordinary = asyncio.create_task(send(limiter, call, "ordinary", chat=2))
    await asyncio.sleep(0.01)
    page = asyncio.create_task(send(limiter, call, "page", chat=3, lane=PRIORITY))
    await asyncio.sleep(0.01)
    clock.now += 1.0
    await asyncio.wait_for(page, 1)
    assert calls == ["fills the second", "page"]
    clock.now += 1.0
    await asyncio.wait_for(ordinary, 1)


async def test_a_page_waiting_for_its_group_does_not_hold_up_other_chats(quick):
    clock = Clock()
    limiter = Lanes(per_second=30, group_per_minute=1, monotonic=clock)
    calls, call = call_log()
    await send(limiter, call, "page", chat=-100, lane=PRIORITY)
    waiting = asyncio.create_task(send(limiter, call, "second page", chat=-100, lane=PRIORITY))
    await asyncio.sleep(0.01)
    await asyncio.wait_for(send(limiter, call, "ordinary", chat=7), 1)
    assert calls == ["page", "ordinary"] and not waiting.done()
    clock.now += 60
    await asyncio.wait_for(waiting, 1)


async def test_an_ordinary_send_to_a_group_yields_to_a_page_for_it(quick):
    clock = Clock()
    limiter = Lanes(per_second=30, group_per_minute=1, monotonic=clock)
    calls, call = call_log()
    await send(limiter, call, "alert", chat=-100)
    ordinary = asyncio.create_task(send(limiter, call, "next alert", chat=-100))
    await asyncio.sleep(0.01)
    page = asyncio.create_task(send(limiter, call, "page", chat=-100, lane=PRIORITY))
    await asyncio.sleep(0.01)
    clock.now += 60
    await asyncio.wait_for(page, 1)
    assert calls == ["alert", "page"]
    clock.now += 60
    await asyncio.wait_for(ordinary, 1)
    assert calls == ["alert", "page", "next alert"]


async def test_the_reserve_grows_with_a_surge_of_crisis_replies():
    """Four crisis replies a second do not fit a reserve of two: the waiting lanes yield
    more room while the surge lasts, so the replies meet no flood limit."""
    clock = Clock()
    limiter = Lanes(per_second=30, reserve=2, monotonic=clock)
    _calls, call = call_log()
    assert limiter.reserve_now(clock.now) == 2
    for second in range(2):  # four replies a second
        for n in range(4):
            await send(limiter, call, n, chat=100 + 4 * second + n, lane=URGENT)
        clock.now += 1.0 if second == 0 else 0.0
    assert limiter.reserve_now(clock.now) == 5
    for n in range(25):
        await send(limiter, call, n, chat=n)
    assert limiter.room(clock.now) > 0  # 25 ordinary sends fill what the surge leaves
    assert len(limiter.sends.done) + limiter.sends.flying == 29
    clock.now += 2.5
    assert limiter.reserve_now(clock.now) == 2


async def test_no_reserve_configured_stays_none_without_crises():
    limiter = Lanes(per_second=30, reserve=0, monotonic=Clock())
    assert limiter.reserve_now(0.0) == 0
