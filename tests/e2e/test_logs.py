"""Every logger at DEBUG through the flows that carry personal data: no record holds a
person's words, names, phone or link, an invite, the bot token or the webhook secret."""

import asyncio
import json
import logging
import re
import signal
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from bot import logs
from bot.standin import StandIn
from tests.e2e.harness import STAFF_IDS, eventually, free_port
from tests.e2e.test_clients import DISPATCHER, nth
from tests.e2e.test_intake import submitted
from tests.e2e.test_startup import clean, production, run

TOKEN = "735912:Kx9-leaky-canary-token"
SECRET = "Qw7-webhook-canary-secret"
NAME, PHONE, NOTE = "Zebulonia", "(608) 555-0199", "quixotic marmalade 7731"
CRISIS, BLOCKED_CRISIS = "I have the pills in my hand, tonight is the night", \
    "i want to kill myself tonight"
CLIENT, VIDEO = "Wilhelmina Strand", "https://meet.example/xylophage-42"
REASON, BAD_KIND = "my ferret ate the carburetor", "zumbathon9931"
PERSON = {"first_name": "Ottoline", "last_name": "Vasquez-Pym", "username": "ottoline_vp"}
MEMBER = {"first_name": "Leopoldina", "last_name": "Marchbanks", "username": "leo_mbk"}
STAFF = {"first_name": "Perpetua", "last_name": "Hawksworth", "username": "perpetua_hw"}
PERSONAL = [TOKEN, TOKEN.split(":")[1], SECRET, NAME, "555-0199", "5550199", NOTE,
            "pills in my hand", "kill myself", CLIENT, "Wilhelmina", "xylophage", REASON,
            BAD_KIND, *PERSON.values(), *MEMBER.values(), *STAFF.values()]
LIBRARIES = ("", "bot", "telegram", "telegram.ext", "httpx", "httpcore", "apscheduler",
             "aiosqlite", "asyncio", "tornado")
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
PLAIN = logging.Formatter(FORMAT)
STANDARD = set(vars(logging.LogRecord("x", 0, "x", 0, "x", (), None))) | {"message", "asctime"}


class Capture(logging.Handler):
    """Every record as any handler could see it: raw fields, a plain formatter, and the bot's
    text and JSON formatters."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.seen: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        extra = {k: v for k, v in vars(record).items() if k not in STANDARD}
        parts = [record.getMessage(), repr(record.args), repr(extra), PLAIN.format(record),
                 record.exc_text or "", record.stack_info or "",
                 logs.SafeFormatter(FORMAT).format(record), logs.JsonFormatter().format(record)]
        self.seen.append((record.name, "\n".join(parts)))


@pytest.fixture
async def api():
    async with StandIn(token=TOKEN) as standin:
        yield standin


@pytest.fixture
def captured():
    """Every library at DEBUG, propagating to a capturing handler on the root logger, with
    the bot's logging guard in place as `iop-bot` sets it up; all restored after."""
    saved = [(logging.getLogger(n), logging.getLogger(n).level, logging.getLogger(n).propagate)
             for n in LIBRARIES]
    factory = logging.getLogRecordFactory()
    capture = Capture()
    logs.guard()
    for logger, _, _ in saved:
        logger.setLevel(logging.DEBUG)
        logger.propagate = True
    logging.getLogger().addHandler(capture)
    yield capture
    logging.getLogger().removeHandler(capture)
    logging.setLogRecordFactory(factory)
    for logger, level, propagate in saved:
        logger.setLevel(level)
        logger.propagate = propagate


def leaks(seen: list[tuple[str, str]], *more: str) -> list[str]:
    return [f"{name}: {word!r} in {text[:600]!r}" for name, text in seen
            for word in (*PERSONAL, *more) if word.casefold() in text.casefold()]


async def flows(bot, api, staff_group, clock, monkeypatch, seen):
    person = api.person(1001, **PERSON)
    staff = staff_group.person(api.person(STAFF_IDS[0], **STAFF))
    await submitted(person, name=NAME, phone=PHONE, notes=NOTE)
    alert = await staff_group.expect("Consultation request #")
    await staff.click("🙋 Claim", message=alert)
    await staff_group.expect("claim by Perpetua")

    await person.send(CRISIS)
    await person.expect("911")
    page = await staff_group.expect("Safety page")
    await staff.click("🙋 I'm on it", message=page)
    await bot.tick("safety-pager")

    await staff.send(f"/enroll {CLIENT}")
    card = await staff_group.expect("Invite link")
    number = int(re.search(r"Client #(\d+)", card.text)[1])
    invite = re.search(r"start=inv_([\w-]+)", card.text)[1]
    member = api.person(1002, **MEMBER)
    await member.send(f"/start inv_{invite}")
    await member.expect("Welcome to the program")
    await staff.send(f"/videolink {number} {VIDEO}")
    await staff_group.expect("video link")

    clock.set(datetime(2026, 11, 27, 0, 0, tzinfo=UTC))
    await bot.tick(DISPATCHER)
    reminder = await nth(api, member, "Reminder", 1)
    await member.click("I can't make it", message=reminder)
    await member.expect("Life happens")
    await member.send(REASON)
    await staff_group.expect(f"Reason: {REASON}")
    await member.send("/mydata")
    await member.expect("holds about you")

    await staff.send(f"/session {number} add {BAD_KIND} tue 10:00")
    await staff_group.expect("don't know the session kind")

    async def broken(*args, **kwargs):
        raise RuntimeError(f"lookup failed for {NAME}: {NOTE}")

    with monkeypatch.context() as patched:
        patched.setattr(bot.repo.requests, "of_user", broken)
        await person.send("/mydata")
        await person.expect("something went wrong")
    content = bot.app.bot_data["services"].content
    real = content.parts

    def unrenderable(name, *args, **kwargs):
        if name == "safety_page":
            raise RuntimeError(f"cannot page about {NAME}: {BLOCKED_CRISIS}")
        return real(name, *args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(content, "parts", unrenderable)
        await person.send(BLOCKED_CRISIS)
        await person.expect("988")
        await eventually(lambda: any("could not page staff" in text for _, text in seen))

    await person.send("/delete")
    await person.expect("Do you want me to delete everything")
    await person.click("🗑 Yes, delete everything")
    await person.expect("I've deleted what this chat stored about you")

    blocked = api.person(1003, **PERSON)
    api.fail(status=403, chat_id=blocked.user_id)
    await blocked.send(BLOCKED_CRISIS)
    await staff_group.expect("blocked the bot")
    return invite


@pytest.mark.errors_expected
@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_no_personal_string_in_any_record(make_bot, api, staff_group, clock, monkeypatch,
                                                captured, mode):
    bot = await make_bot(mode, **({"webhook_secret": SECRET} if mode == "webhook" else {}))
    invite = await flows(bot, api, staff_group, clock, monkeypatch, captured.seen)
    await bot.stop()
    assert leaks(captured.seen, invite) == []
    names = {name.split(".")[0] for name, _ in captured.seen}
    assert {"bot", "telegram", "httpx", "httpcore", "aiosqlite"} <= names
    assert any("RuntimeError (message withheld)" in text for name, text in captured.seen
               if name == "bot.handlers.safety")


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_iop_bot_logs_at_debug(tmp_path, api, mode, fmt):
    env = production(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=api.base_url,
                     DATABASE_PATH=str(tmp_path / "iop.db"), LOG_LEVEL="DEBUG", LOG_FORMAT=fmt)
    if mode == "webhook":
        port = free_port()
        env |= {"BOT_MODE": "webhook", "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/hook",
                "WEBHOOK_LISTEN": "127.0.0.1", "WEBHOOK_PORT": str(port),
                "WEBHOOK_SECRET": SECRET}
    assert run(tmp_path, env, "migrate").returncode == 0
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=tmp_path, env=clean(tmp_path, env),
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        person = api.person(1001, **PERSON)
        await person.send("/start")
        await person.expect("welcome", timeout=30)
        await person.send(CRISIS)
        await person.expect("911")
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), 30)
    lines = err.decode().splitlines()
    assert proc.returncode == 0, lines
    assert any(f"connected as @iop_companion_bot; running in {mode} mode" in line
               for line in lines)
    if fmt == "json":
        assert all(json.loads(line)["level"] for line in lines)
    assert leaks([("iop-bot", line) for line in lines]) == []
