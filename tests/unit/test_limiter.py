import asyncio

from bot.limiter import PACED, URGENT, SafetyFirstLimiter


async def test_urgent_and_paced_skip_a_full_limiter():
    limiter = SafetyFirstLimiter(overall_max_rate=1, overall_time_period=60, max_retries=0)
    await limiter.initialize()
    calls = []

    async def call(name):
        calls.append(name)
        return True

    data = {"chat_id": 5}
    await limiter.process_request(call, ("first",), {}, "sendMessage", data, None)
    waiting = asyncio.create_task(
        limiter.process_request(call, ("queued",), {}, "sendMessage", data, None))
    await asyncio.sleep(0.05)
    assert not waiting.done()
    assert await limiter.process_request(call, ("crisis",), {}, "sendMessage", data, URGENT)
    assert await limiter.process_request(call, ("reminder",), {}, "sendMessage", data, PACED)
    assert calls == ["first", "crisis", "reminder"]
    assert not waiting.done()
    waiting.cancel()
    await limiter.shutdown()


async def test_urgent_honours_retry_after_instead_of_giving_up(monkeypatch):
    from datetime import timedelta

    from telegram.error import RetryAfter

    limiter = SafetyFirstLimiter()
    slept = []

    async def fake_sleep(seconds):
        slept.append(seconds)

    monkeypatch.setattr("bot.limiter.asyncio.sleep", fake_sleep)
    attempts = []

    async def flaky():
        attempts.append(1)
        if len(attempts) < 3:
            raise RetryAfter(timedelta(seconds=2))
        return "sent"

    assert await limiter.process_request(flaky, (), {}, "sendMessage", {}, URGENT) == "sent"
    assert slept == [2.0, 2.0]
