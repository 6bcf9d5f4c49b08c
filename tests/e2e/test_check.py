"""`iop-bot check` against the Bot API stand-in: what is right and what is wrong."""

import asyncio
import os
import sqlite3
import sys
from contextlib import closing

import pytest

from bot.check import check
from bot.clock import ManualClock
from bot.config import EXAMPLE_PROFILE
from bot.profile import load_profile
from bot.storage import migrate_only
from bot.storage.db import migrations
from bot.storage.vault import key_id, new_key, parse_keys
from tests.e2e.harness import STAFF_CHAT, Running, free_port, settings_for

KEY = "AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM="
LATEST = max(number for number, _, _ in migrations())


@pytest.fixture
async def ready(api, staff_group, tmp_path):
    """A pilot clinic's settings: its own profile, a migrated database, the staff group."""
    profile = tmp_path / "clinic.toml"
    profile.write_text(EXAMPLE_PROFILE.read_text().replace(
        "on_call_user_ids = []", "on_call_user_ids = [1001, 4242]").replace(
        "fictional = true", "fictional = false"))
    api.person(1001, "On call")
    await migrate_only(tmp_path / "iop.db")
    return {"clinic_profile": profile, "staff_user_ids": "501,502,1001,4242",
            "data_encryption_key": KEY}


def lines(report, level: str) -> dict[str, str]:
    return {topic: detail for lvl, topic, detail in report.lines if lvl == level}


async def test_a_ready_installation_passes(api, ready, tmp_path):
    report = await check(settings_for(api, tmp_path / "iop.db", **ready))
    assert not report.failed, report.render()
    ok = lines(report, "ok")
    assert ok["profile"].startswith("Lakeshore Recovery Partners")
    assert ok["database"].endswith(f"schema version {LATEST}")
    assert ok["telegram"] == "@iop_companion_bot (id 123456)"
    assert ok["encryption"] == f"data key {key_id(parse_keys(KEY)[0])}, 0 value(s) sealed with it"

    assert [d for lvl, t, d in report.lines if t == "staff"] == [
        f"group 'Clinic staff' ({STAFF_CHAT})", "4 staff user id(s)"]
    warnings = [detail for level, _, detail in report.lines if level == "warn"]
    assert any("/setjoingroups" in w for w in warnings)
    assert any("user 4242 has no private chat" in w for w in warnings)
    assert not any("1001" in w for w in warnings)


async def test_a_key_that_does_not_open_the_data_is_named(api, ready, tmp_path):
    running = Running(settings_for(api, tmp_path / "iop.db", **ready), load_profile(
        ready["clinic_profile"]), ManualClock())
    await running.start()
    await running.repo.clients.enroll("Quinn", None, "en", 501)
    await running.stop()
    assert "1 value(s) sealed with it" in lines(await check(settings_for(
        api, tmp_path / "iop.db", **ready)), "ok")["encryption"]
    other = new_key()
    failed = lines(await check(settings_for(api, tmp_path / "iop.db", **ready | {
        "data_encryption_key": other})), "FAIL")["encryption"]
    assert failed.startswith(f"the database holds values sealed with key id "
                             f"{key_id(parse_keys(KEY)[0])}, which is not configured")
    rotating = lines(await check(settings_for(api, tmp_path / "iop.db", **ready | {
        "data_encryption_key": f"{other},{KEY}"})), "ok")["encryption"]
    assert rotating.endswith("0 value(s) sealed with it; 1 to re-seal with `iop-bot rotate-key`")


async def test_every_problem_is_named(api, tmp_path):
    settings = settings_for(api, tmp_path / "missing.db", staff_chat_id=-100777,
                            staff_user_ids="")
    report = await check(settings)
    assert report.failed
    failed = [f"{topic}: {detail}" for level, topic, detail in report.lines if level == "FAIL"]
    assert len(failed) == 5, report.render()
    assert "fictional example clinic" in failed[0]
    assert "on-call: STAFF_USER_IDS: empty" in failed[1]
    assert failed[2].startswith("encryption: DATA_ENCRYPTION_KEY: not set")
    assert "database: no file at" in failed[3]
    assert "cannot reach STAFF_CHAT_ID -100777 (Chat not found)" in failed[4]
    assert not (tmp_path / "missing.db").exists()


async def test_a_wrong_token_or_no_api(api, ready, tmp_path):
    wrong = await check(settings_for(api, tmp_path / "iop.db", telegram_bot_token="9:nope",
                                     **ready))
    assert "refused TELEGRAM_BOT_TOKEN" in lines(wrong, "FAIL")["telegram"]
    assert "9:nope" not in wrong.render()
    away = f"http://127.0.0.1:{free_port()}/bot"
    gone = await check(settings_for(api, tmp_path / "iop.db", telegram_api_base_url=away,
                                    **ready))
    assert lines(gone, "FAIL")["telegram"].startswith(f"cannot reach the Bot API at {away}")


async def test_webhook_registration(api, ready, tmp_path, make_bot):
    before = await check(settings_for(api, tmp_path / "iop.db", "webhook", **ready))
    assert "Telegram has no webhook" in lines(before, "warn")["webhook"]
    running = await make_bot("webhook", **ready)
    after = await check(running.settings)
    assert lines(after, "ok")["webhook"] == "registered, 0 update(s) waiting"


async def test_schema_drift(api, ready, tmp_path):
    with closing(sqlite3.connect(tmp_path / "iop.db")) as db, db:
        db.execute("DELETE FROM schema_migrations WHERE version = ?", (LATEST,))
    pending = await check(settings_for(api, tmp_path / "iop.db", **ready))
    assert "1 pending migration(s)" in lines(pending, "warn")["database"]
    assert not pending.failed
    with closing(sqlite3.connect(tmp_path / "iop.db")) as db, db:
        db.execute("UPDATE schema_migrations SET checksum = 'x' WHERE version = 1")
    changed = await check(settings_for(api, tmp_path / "iop.db", **ready))
    assert "001_foundation" in lines(changed, "FAIL")["database"]


async def iop_bot(*args: str, env: dict[str, str]) -> tuple[int, str]:
    """The installed command, while this loop keeps serving the stand-in."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, env={"PATH": os.environ["PATH"], **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode, out.decode()


async def test_the_command_exits_0_or_1(api, ready, tmp_path):
    env = {"TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_BASE_URL": api.base_url,
           "DATABASE_PATH": str(tmp_path / "iop.db"), "STAFF_CHAT_ID": str(STAFF_CHAT),
           "CLINIC_PROFILE": str(ready["clinic_profile"]),
           "STAFF_USER_IDS": "501,1001,4242", "DATA_ENCRYPTION_KEY": KEY}
    code, out = await iop_bot("check", env=env)
    assert code == 0, out
    assert out.splitlines()[-1] == "0 problem(s), 2 warning(s)."
    code, out = await iop_bot("check", env=env | {"STAFF_USER_IDS": ""})
    assert code == 1, out
    assert api.token not in out
    assert KEY not in out
    code, out = await iop_bot("check", env={"BOT_MODE": "webhook"})
    assert code == 1
    assert out.startswith("FAIL  settings  WEBHOOK_URL: webhook mode needs")
    assert out.splitlines()[1].startswith("FAIL  settings  WEBHOOK_SECRET: webhook mode needs")


async def test_a_broken_overlay_template(api, ready, tmp_path):
    overlay = tmp_path / "ours" / "messages" / "en"
    overlay.mkdir(parents=True)
    (overlay / "welcome.html").write_text("Hello {% if %}")
    report = await check(settings_for(api, tmp_path / "iop.db", content_dir=overlay.parents[1],
                                      **ready))
    assert lines(report, "FAIL")["content"].startswith("TemplateSyntaxError")
