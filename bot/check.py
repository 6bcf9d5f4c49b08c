"""`iop-bot check`: is this installation ready to serve a clinic?

Settings, profile, content, database and Telegram, checked without starting the bot. One
line per finding; exit status 1 when anything failed. Never prints the token.
"""

import asyncio
import os
import sqlite3
from pathlib import Path

import aiosqlite
from jinja2 import TemplateError
from telegram import Bot
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError

from bot import logs, preflight
from bot.clock import SystemClock
from bot.config import ConfigError, Mode, Settings, load_settings
from bot.content import Content
from bot.keys import vault_for
from bot.lessons import Library
from bot.profile import Profile, load_profile
from bot.storage.base import Store
from bot.storage.db import inspect
from bot.storage.sealed import census
from bot.storage.staff import stored


class Report:
    def __init__(self) -> None:
        self.lines: list[tuple[str, str, str]] = []

    def ok(self, topic: str, detail: str) -> None:
        self.lines.append(("ok", topic, detail))

    def warn(self, topic: str, detail: str) -> None:
        self.lines.append(("warn", topic, detail))

    def fail(self, topic: str, detail: str) -> None:
        self.lines.append(("FAIL", topic, detail))

    @property
    def failed(self) -> bool:
        return any(level == "FAIL" for level, _, _ in self.lines)

    def render(self) -> str:
        rows = [f"{level:<5} {topic:<9} {detail}" for level, topic, detail in self.lines]
        fails = sum(level == "FAIL" for level, _, _ in self.lines)
        warns = sum(level == "warn" for level, _, _ in self.lines)
        rows.append(f"{fails} problem(s), {warns} warning(s)." if fails or warns
                    else "Everything checked is ready.")
        return "\n".join(rows)


async def check(settings: Settings) -> Report:
    report = Report()
    hook = f", webhook {settings.webhook_url}" if settings.bot_mode is Mode.WEBHOOK else ""
    report.ok("settings", f"{settings.bot_mode.value} mode{hook}")
    profile = _profile(settings, report)
    if profile is not None:
        _safe(settings, profile, report)
        _content(settings, profile, report)
    _database(settings.database_path, report)
    await _encryption(settings, report)
    await _telegram(settings, profile, report)
    return report


def _profile(settings: Settings, report: Report) -> Profile | None:
    try:
        profile = load_profile(settings.clinic_profile)
    except ConfigError as exc:
        for line in exc.args:
            report.fail("profile", line)
        return None
    report.ok("profile", f"{profile.clinic.name} ({settings.clinic_profile})")
    return profile


def _safe(settings: Settings, profile: Profile, report: Report) -> None:
    """What start-up would refuse in production (bot/preflight.py)."""
    try:
        preflight.check(settings, profile, stored(settings.database_path))
    except ConfigError as exc:
        for line in exc.args:
            report.fail("encryption" if line.startswith("DATA_ENCRYPTION") else "on-call", line)


async def _encryption(settings: Settings, report: Report) -> None:
    """The key against the data: start-up refuses values sealed with a key it lacks."""
    if settings.data_encryption_key is None and settings.data_encryption_key_file is None:
        return
    try:
        vault = vault_for(settings)
    except ConfigError:
        return  # reported with the preflight's lines
    found: dict[str, int] = {}
    if settings.database_path.is_file():
        uri = f"{settings.database_path.absolute().as_uri()}?mode=ro"
        try:
            async with aiosqlite.connect(uri, uri=True) as conn:
                found = await census(Store(conn, SystemClock(), vault))
        except sqlite3.Error:
            pass  # a database that is not ready is reported under "database"
    if missing := sorted(set(found) - {"", *vault.ids}):
        report.fail("encryption", f"the database holds values sealed with key id "
                    f"{', '.join(missing)}, which is not configured: the bot would refuse to "
                    "start; give that key after the current one")
        return
    older = sum(count for kid, count in found.items() if kid != vault.kid)
    detail = f"data key {vault.kid}, {found.get(vault.kid, 0)} value(s) sealed with it"
    report.ok("encryption", detail + (f"; {older} to re-seal with `iop-bot rotate-key`"
                                      if older else ""))


def _content(settings: Settings, profile: Profile, report: Report) -> None:
    overlay = settings.content_dir
    try:
        content = Content(profile, overlay=overlay)
        for name in content.env.list_templates(extensions=["html"]):
            content.env.get_template(name)
        Library(default=profile.clinic.languages[0], overlay=overlay)
    except (TemplateError, ValueError, OSError) as exc:
        report.fail("content", f"{type(exc).__name__}: {exc}")
        return
    report.ok("content", f"packaged, overridden by {overlay}" if overlay else "packaged")


def _database(path: Path, report: Report) -> None:
    if not path.is_file():
        report.fail("database", f"no file at {path}: run `iop-bot migrate` on a first "
                    "install, or fix DATABASE_PATH")
        return
    try:
        schema = inspect(path)
    except sqlite3.Error as exc:
        report.fail("database", f"cannot read {path} ({type(exc).__name__})")
        return
    if schema.integrity != "ok":
        report.fail("database", f"{path} is damaged ({schema.integrity}): restore a backup")
    if schema.changed:
        report.fail("database", f"applied migrations changed since: {', '.join(schema.changed)};"
                    " the bot will refuse to start")
    if schema.unknown:
        report.fail("database", f"{path} was upgraded by a newer version of the bot "
                    f"(schema {max(schema.unknown)})")
    if not os.access(path, os.R_OK | os.W_OK):
        report.fail("database", f"{path} is not readable and writable by this user")
    if schema.pending:
        report.warn("database", f"{len(schema.pending)} pending migration(s): run `iop-bot "
                    "migrate` (the bot also applies them when it starts)")
    else:
        report.ok("database", f"{path}, schema version {schema.version}")


async def _telegram(settings: Settings, profile: Profile | None, report: Report) -> None:
    if settings.token is None:
        report.fail("telegram", "TELEGRAM_BOT_TOKEN is not set (the bot would run the "
                    "offline demo)")
        return
    try:
        async with Bot(settings.token, base_url=settings.telegram_api_base_url) as bot:
            me = bot.bot
            report.ok("telegram", f"@{me.username} (id {me.id})")
            if me.can_read_all_group_messages:
                report.warn("telegram", "group privacy is off, so the bot reads every message "
                            "in its groups: /setprivacy in @BotFather, then Enable")
            if me.can_join_groups:
                report.warn("telegram", "anyone can add the bot to a group: once it is in the "
                            "staff group, /setjoingroups in @BotFather, then Disable")
            if settings.bot_mode is Mode.WEBHOOK:
                await _webhook(bot, settings, report)
            await _staff(bot, settings, profile, report)
    except InvalidToken:
        report.fail("telegram", "the Bot API refused TELEGRAM_BOT_TOKEN: copy it again from "
                    "@BotFather")
    except BadRequest as exc:
        report.fail("telegram", f"the Bot API said: {exc.message}")
    except NetworkError as exc:
        report.fail("telegram", f"cannot reach the Bot API at {settings.telegram_api_base_url}"
                    f" ({type(exc).__name__})")


async def _webhook(bot: Bot, settings: Settings, report: Report) -> None:
    info = await bot.get_webhook_info()
    if info.url != settings.webhook_url:
        report.warn("webhook", f"Telegram has {info.url or 'no webhook'}; the bot registers "
                    "WEBHOOK_URL when it starts")
    else:
        report.ok("webhook", f"registered, {info.pending_update_count} update(s) waiting")
    if info.last_error_message and info.last_error_date:
        report.warn("webhook", f"last delivery error at {info.last_error_date:%Y-%m-%d %H:%M} "
                    f"UTC: {info.last_error_message}")


async def _staff(bot: Bot, settings: Settings, profile: Profile | None,
                 report: Report) -> None:
    chat_id = settings.staff_chat_id
    if chat_id is None:
        report.fail("staff", "STAFF_CHAT_ID is not set: add the bot to the staff group and "
                    "send /whoami there")
    else:
        try:
            chat = await bot.get_chat(chat_id)
        except (BadRequest, Forbidden) as exc:
            report.fail("staff", f"the bot cannot reach STAFF_CHAT_ID {chat_id} ({exc.message}):"
                        " add it to the staff group and check the id with /whoami there")
        else:
            if chat.type == ChatType.PRIVATE:
                report.warn("staff", f"STAFF_CHAT_ID {chat_id} is a private chat, not a group")
            else:
                report.ok("staff", f"group {chat.title!r} ({chat_id})")
    if settings.staff_user_ids:
        report.ok("staff", f"{len(settings.staff_user_ids)} staff user id(s)")
    if profile is None:
        return
    for user_id in [*profile.safety.on_call_user_ids, *profile.safety.backup_user_ids]:
        try:
            await bot.get_chat(user_id)
        except (BadRequest, Forbidden):
            report.warn("on-call", f"user {user_id} has no private chat with the bot, so pages "
                        "to them fail: they must send /start to the bot once")


def run_check() -> int:
    try:
        settings = load_settings()
    except ConfigError as exc:
        report = Report()
        for line in exc.args:
            report.fail("settings", line)
    else:
        logs.setup(settings.log_level, settings.log_format)
        report = asyncio.run(check(settings))
    print(report.render())
    return 1 if report.failed else 0
