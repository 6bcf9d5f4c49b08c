"""How fast does a crisis reply arrive, compared with an ordinary reply, idle and under load?

Runs the real bot against the stand-in over loopback HTTP. The baseline is /start (the
welcome message) measured in the same run. "Under load" first queues a backlog of ordinary
messages to other people's private chats in PTB's rate limiter (Telegram's ~30 messages/s),
as a broadcast would; the crisis reply takes the urgent lane and should not wait behind it.

    .venv/bin/python bench/crisis_latency.py [--rounds 30] [--backlog 300]
"""

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from bot.app import build_application
from bot.config import load_settings
from bot.runner import serve
from bot.standin import StandIn

STAFF_CHAT = -100999


async def round_trip(api: StandIn, person, text: str, expect: str) -> float:
    started = time.perf_counter()
    await person.send(text)
    await person.expect(expect, timeout=60)
    return (time.perf_counter() - started) * 1000


async def measure(api, app, rounds: int, backlog: int) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {"baseline": [], "crisis": []}
    for index in range(rounds):
        person = api.person(50_000 + index, f"P{index}")
        load = [asyncio.create_task(app.bot.send_message(60_000 + n, f"backlog {n}"))
                for n in range(backlog)]
        await asyncio.sleep(0)
        results["crisis"].append(await round_trip(api, person, "i want to kill myself",
                                                  "24-hour support"))
        results["baseline"].append(await round_trip(api, person, "/start", "welcome"))
        for task in load:
            task.cancel()
        await asyncio.gather(*load, return_exceptions=True)
    return results


async def main(rounds: int, backlog: int) -> None:
    async with StandIn() as api:
        api.group(STAFF_CHAT, "staff")
        for n in range(backlog):
            api.person(60_000 + n, f"Reader {n}")
        with tempfile.TemporaryDirectory() as folder:
            settings = load_settings(telegram_bot_token=api.token,
                                     telegram_api_base_url=api.base_url,
                                     database_path=Path(folder) / "bench.db",
                                     staff_chat_id=STAFF_CHAT)
            app = build_application(settings)
            stop = asyncio.Event()
            task = asyncio.create_task(serve(app, settings, stop))
            while not app.running:  # noqa: ASYNC110 - PTB offers no start-up event
                await asyncio.sleep(0.01)
            print(f"crisis reply vs /start reply, {rounds} rounds each, loopback HTTP")
            loads = (("idle", 0), (f"behind {backlog} queued messages", backlog))
            for label, queued in loads:
                results = await measure(api, app, rounds, queued)
                crisis = statistics.median(results["crisis"])
                base = statistics.median(results["baseline"])
                print(f"  {label:32} crisis p50 {crisis:8.1f} ms   /start p50 {base:8.1f} ms"
                      f"   ratio crisis/baseline {crisis / base:7.4f}")
            stop.set()
            await task


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--backlog", type=int, default=150)
    args = parser.parse_args()
    asyncio.run(main(args.rounds, args.backlog))
