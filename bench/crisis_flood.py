"""Crisis replies under a flood, against a bare PTB bot, over real HTTP.

The driver runs the Bot API stand-in with Telegram's flood limits and pushes 200 ordinary
updates a second from 20 people, while 200 fresh people write a crisis message, one at a
time, spread over the run. Each bot runs in a process of its own, so its memory can be
read. The baseline is a bare PTB echo bot with AIORateLimiter (and concurrent updates, its
best setting), measured in the same run under the same load.

    .venv/bin/python bench/crisis_flood.py [--seconds 120] [--rate 200] [--crises 200]

Telegram asks for at most one message a second in one chat but allows short bursts; the
stand-in allows 2 a second per chat, so 20 people can use the whole 30/s budget.
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bot.standin import FloodLimits, StandIn

STAFF_CHAT = -100777
LIMITS = FloodLimits(per_second=30, per_chat_per_second=2, per_group_per_minute=20)
ORDINARY = ["hi", "what time is group on thursday?", "thanks!", "ok", "can I bring my wife",
            "where do I park", "is there a group on friday", "see you then"]
CRISIS = ["i want to kill myself tonight", "I took all my pills and I feel like I'm dying",
          "he has a gun and says he'll shoot us", "i cant do this anymore i want to die"]


def serve(kind: str, base_url: str, token: str, folder: str) -> None:
    """The bot side, in its own process: ours, or the bare echo baseline."""
    if kind == "ours":
        from bot.app import build_application
        from bot.config import load_settings
        from bot.runner import serve as run

        settings = load_settings(telegram_bot_token=token, telegram_api_base_url=base_url,
                                 database_path=Path(folder) / "bench.db",
                                 staff_chat_id=STAFF_CHAT, log_level="ERROR",
                                 flood_per_chat=LIMITS.per_chat_per_second)

        async def main() -> None:
            await run(build_application(settings), settings, asyncio.Event())

        asyncio.run(main())
        return
    from telegram.ext import AIORateLimiter, ApplicationBuilder, MessageHandler, filters

    async def echo(update, context) -> None:
        await update.message.reply_text(update.message.text)

    app = (ApplicationBuilder().token(token).base_url(base_url).rate_limiter(AIORateLimiter())
           .concurrent_updates(True).build())
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling(close_loop=False)


def memory(pid: int) -> tuple[float, float]:
    """(resident, peak resident) in MiB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text()
                  .splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


async def run(kind: str, seconds: float, rate: int, crises: int) -> dict:
    async with StandIn(flood_limits=LIMITS) as api:
        api.group(STAFF_CHAT, "staff")
        people = [api.person(10_000 + n, f"P{n}") for n in range(20)]
        with tempfile.TemporaryDirectory() as folder:
            child = await asyncio.create_subprocess_exec(
                sys.executable, __file__, "--serve", kind, api.base_url, api.token, folder,
                stderr=asyncio.subprocess.DEVNULL)
            while not any(name == "getUpdates" for name, _ in api.calls):  # noqa: ASYNC110
                await asyncio.sleep(0.05)
            await asyncio.sleep(1)
            start = time.monotonic()
            flood = asyncio.create_task(ordinary(api, people, rate, start, seconds))
            rss: dict[int, tuple[float, float]] = {}
            watch = asyncio.create_task(sample(child.pid, start, seconds, rss))
            latencies = asyncio.create_task(crisis(api, crises, start, seconds))
            await flood
            end = time.monotonic()
            await watch
            latencies = await latencies
            child.terminate()
            try:
                await asyncio.wait_for(child.wait(), 5)
            except TimeoutError:  # the baseline would first work through its whole backlog
                child.kill()
                await child.wait()
        steady = start + min(10.0, seconds / 4)
        replies = sum(1 for p in people for m in api.messages(p.user_id)
                      if steady <= m.sent_at <= end)
        safety = sum(1 for chat_id in api.chats if chat_id not in {p.user_id for p in people}
                     for m in api.messages(chat_id) if steady <= m.sent_at <= end)
    return {"latencies": latencies, "ordinary": replies / (end - steady),
            "safety": safety / (end - steady), "rss": rss, "answered": len(latencies),
            "too_many": api.stats.too_many_requests}


async def ordinary(api, people, rate: int, start: float, seconds: float) -> None:
    n = 0
    while (now := time.monotonic()) < start + seconds:
        due = int((now - start) * rate)
        while n < due:
            person = people[n % len(people)]
            api.send_text(person.chat_id, person.user_id, ORDINARY[n % len(ORDINARY)])
            n += 1
        await asyncio.sleep(0.005)


async def crisis(api, count: int, start: float, seconds: float) -> list[float]:
    """One crisis at a time, evenly spread over the run, each from a new person. The latency
    runs from the moment the update is queued at the Bot API to the moment the reply reaches
    it; a reply that takes over 10 s counts as missing."""
    sent: dict[int, float] = {}
    for n in range(count):
        await asyncio.sleep(max(0.0, start + n * seconds / count - time.monotonic()))
        person = api.person(50_000 + n, f"C{n}")
        sent[person.user_id] = api.monotonic()
        api.send_text(person.chat_id, person.user_id, CRISIS[n % len(CRISIS)])
    await asyncio.sleep(10)
    replies = {user: api.messages(user) for user in sent}
    return [(replies[user][0].sent_at - at) * 1000 for user, at in sent.items()
            if replies[user] and replies[user][0].sent_at - at <= 10]


async def sample(pid: int, start: float, seconds: float, into: dict) -> None:
    marks = [m for m in (60, 120) if m <= seconds] or [seconds]
    for mark in marks:
        await asyncio.sleep(max(0.0, start + mark - 1 - time.monotonic()))
        into[mark] = memory(pid)


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 \
        else (values[0] if values else float("nan"))


def report(seconds: float, rate: int, crises: int, ours: dict, base: dict) -> None:
    print(f"{rate} ordinary updates/s from 20 people for {seconds:.0f} s, {crises} crisis "
          f"messages one at a time; flood limit 30/s (stand-in: 2/s per chat, 20/min per group)")
    print(f"{'':34}{'IOP Companion':>16}{'bare PTB echo':>16}{'ratio':>9}")
    for q in (50, 95, 99):
        a, b = pct(ours["latencies"], q), pct(base["latencies"], q)
        print(f"  crisis reply p{q:<2} (ms){'':16}{a:16.1f}{b:16.1f}{a / b:9.4f}")
    a, b = ours["ordinary"], base["ordinary"]
    print(f"  ordinary replies/s{'':16}{a:16.1f}{b:16.1f}{a / b:9.3f}")
    print(f"  ... as a share of 30/s{'':11}{a / 30:16.1%}{b / 30:16.1%}")
    print(f"  safety sends/s (replies, pages){'':2}{ours['safety']:16.1f}{base['safety']:16.1f}")
    total = ours["ordinary"] + ours["safety"]
    print(f"  all sends/s as a share of 30/s{'':3}{total / 30:16.1%}"
          f"{(base['ordinary'] + base['safety']) / 30:16.1%}")
    print(f"  crisis replies within 10 s{'':7}{ours['answered']:16}{base['answered']:16}")
    print(f"  429 answers from the Bot API{'':5}{ours['too_many']:16}{base['too_many']:16}")
    for mark in sorted(ours["rss"]):
        a, b = ours["rss"][mark], base["rss"].get(mark, (float("nan"),) * 2)
        print(f"  RSS at {mark:3} s, MiB (peak){'':8}{a[0]:9.1f} ({a[1]:4.0f}){b[0]:9.1f} "
              f"({b[1]:4.0f})")


async def main(seconds: float, rate: int, crises: int) -> None:
    ours = await run("ours", seconds, rate, crises)
    base = await run("echo", seconds, rate, crises)
    report(seconds, rate, crises, ours, base)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(*sys.argv[2:6])
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--crises", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(main(args.seconds, args.rate, args.crises))
