"""`iop-bot` as a clinic's IT person starts it: a clean environment, a fresh folder, no .env
from this repository. A mistake stops it with one line and exit code 2."""

import asyncio
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import EXAMPLE_PROFILE
from bot.standin import StandIn

ENV_EXAMPLE = EXAMPLE_PROFILE.parent.parent / ".env.example"
PREFIX = "Configuration error: "


def clean(tmp_path: Path, env: dict[str, str]) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **env}


def run(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path, input="",
                          env=clean(tmp_path, env), capture_output=True, text=True,
                          timeout=60, check=False)


def production(tmp_path: Path, **env: str) -> dict[str, str]:
    """Everything a real deployment needs, with `env` on top: a clinic's own profile."""
    profile = tmp_path / "clinic.toml"
    profile.write_text(EXAMPLE_PROFILE.read_text().replace("fictional = true",
                                                           "fictional = false"))
    return {"TELEGRAM_BOT_TOKEN": "123:secret-token", "CLINIC_PROFILE": str(profile),
            "STAFF_CHAT_ID": "-100123", "STAFF_USER_IDS": "501",
            "DATA_ENCRYPTION_KEY": "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=", **env}


def one_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(PREFIX)
    assert "secret-token" not in lines[0]
    return lines[0].removeprefix(PREFIX)


def test_missing_staff_chat(tmp_path):
    env = production(tmp_path)
    del env["STAFF_CHAT_ID"]
    line = one_line(run(tmp_path, env))
    assert line.startswith("STAFF_CHAT_ID: not set, so crisis pages would go nowhere")


def test_example_profile(tmp_path):
    env = production(tmp_path)
    del env["CLINIC_PROFILE"]
    line = one_line(run(tmp_path, env))
    assert line == (f"CLINIC_PROFILE: {EXAMPLE_PROFILE} is the fictional example clinic; copy "
                    "it, replace every fact with your clinic's, then set fictional = false.")


def test_no_on_call_path(tmp_path):
    line = one_line(run(tmp_path, production(tmp_path, STAFF_USER_IDS="")))
    assert line.startswith("STAFF_USER_IDS: empty, so no one could acknowledge a crisis page "
                           "(no on-call path)")


def test_missing_profile(tmp_path):
    line = one_line(run(tmp_path, production(tmp_path, CLINIC_PROFILE="/nowhere/clinic.toml")))
    assert line.startswith("CLINIC_PROFILE: no file at /nowhere/clinic.toml")


@pytest.mark.parametrize(("env", "expect"), [
    ({"STAFF_USER_IDS": "abc"}, "STAFF_USER_IDS: use comma-separated Telegram user ids "
                                "(numbers), e.g. 12345,67890 (got 'abc')"),
    ({"STAFF_CHAT_ID": "abc"}, "STAFF_CHAT_ID: use the staff group's chat id"),
    ({"BOT_MODE": "webhook", "WEBHOOK_URL": "http://bot.example.org/hook",
      "WEBHOOK_SECRET": "s3cret"}, "WEBHOOK_URL: Telegram posts only to https addresses"),
    ({"BOT_MODE": "webhook", "WEBHOOK_URL": "https://bot.example.org/hook",
      "WEBHOOK_SECRET": "secret-token!"}, "WEBHOOK_SECRET: use 1-256 characters of "
                                          "A-Z a-z 0-9 _ -"),
])
def test_bad_setting(tmp_path, env, expect):
    line = one_line(run(tmp_path, production(tmp_path, **env)))
    assert line.startswith(expect)
    assert line.endswith("Fix it in .env or the environment; see .env.example.")


@pytest.mark.parametrize("args", [(), ("demo", "--script")])
def test_env_example_as_is_runs_the_demo(tmp_path, args):
    shutil.copy(ENV_EXAMPLE, tmp_path / ".env")
    result = run(tmp_path, {}, *args)
    assert result.returncode == 0, result.stderr
    assert "welcome to Lakeshore Recovery Partners" in result.stdout
    assert result.stderr == ""


def test_env_example_with_a_token_says_what_is_missing(tmp_path):
    shutil.copy(ENV_EXAMPLE, tmp_path / ".env")
    result = run(tmp_path, {"TELEGRAM_BOT_TOKEN": "123:secret-token"})
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert [line.removeprefix(PREFIX).split(":")[0] for line in lines] == [
        "STAFF_CHAT_ID", "CLINIC_PROFILE", "STAFF_USER_IDS", "DATA_ENCRYPTION_KEY"]


def test_missing_data_key(tmp_path):
    env = production(tmp_path)
    del env["DATA_ENCRYPTION_KEY"]
    line = one_line(run(tmp_path, env))
    assert line.startswith("DATA_ENCRYPTION_KEY: not set, so names, phones and notes could not")


def test_unreadable_data_key(tmp_path):
    env = production(tmp_path, DATA_ENCRYPTION_KEY="AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI")
    env["DATA_ENCRYPTION_KEY"] = "swordfish"
    line = one_line(run(tmp_path, env))
    assert line.startswith("DATA_ENCRYPTION_KEY: a key must be 32 random bytes")
    assert "swordfish" not in line


async def start(tmp_path: Path, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=tmp_path, env=clean(tmp_path, env),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


async def test_unreachable_bot_api_retries(tmp_path):
    env = production(tmp_path, TELEGRAM_API_BASE_URL="http://127.0.0.1:9/bot")
    proc = await start(tmp_path, env)
    try:
        first = await asyncio.wait_for(proc.stderr.readline(), 60)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, rest = await asyncio.wait_for(proc.communicate(), 60)
    assert first.decode().rstrip().endswith(
        "WARNING bot.runner: cannot reach the Bot API at 127.0.0.1:9 (NetworkError); "
        "retrying in 1 s")
    assert rest == b""
    assert proc.returncode == 0


async def test_rejected_token(tmp_path, api: StandIn):
    env = production(tmp_path, TELEGRAM_API_BASE_URL=api.base_url)
    proc = await start(tmp_path, env)
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 2
    lines = err.decode().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"{PREFIX}TELEGRAM_BOT_TOKEN: the Bot API at 127.0.0.1:")
    assert "rejected it; copy it again from @BotFather" in lines[0]
    assert "secret-token" not in lines[0]


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_the_documented_deployment_answers_start(tmp_path, api: StandIn, mode):
    """docs/deploy.md, followed to the letter against the stand-in: the clinic's own profile
    (fictional = false), a key from `iop-bot keygen` in a key file, `iop-bot migrate`, then
    `iop-bot` in either mode."""
    env = production(tmp_path, TELEGRAM_BOT_TOKEN=api.token,
                     TELEGRAM_API_BASE_URL=api.base_url, DATABASE_PATH=str(tmp_path / "iop.db"))
    del env["DATA_ENCRYPTION_KEY"]
    key = run(tmp_path, env, "keygen")
    (tmp_path / "data.key").write_text(key.stdout)
    env["DATA_ENCRYPTION_KEY_FILE"] = str(tmp_path / "data.key")
    if mode == "webhook":
        from tests.e2e.harness import free_port

        port = free_port()
        env |= {"BOT_MODE": "webhook", "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/hook",
                "WEBHOOK_LISTEN": "127.0.0.1", "WEBHOOK_PORT": str(port),
                "WEBHOOK_SECRET": "a" * 64}
    assert run(tmp_path, env, "migrate").returncode == 0
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=tmp_path, env=clean(tmp_path, env),
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        person = api.person(1001, "Alice")
        await person.send("/start")
        await person.expect("welcome", timeout=30)
    finally:
        bot.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(bot.communicate(), 30)
    assert bot.returncode == 0, err.decode()
    assert "Traceback" not in err.decode()
