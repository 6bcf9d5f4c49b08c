"""Deployment settings, read once from the environment and `.env`."""

import ipaddress
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    DirectoryPath,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticUseDefault
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.paths import CONTENT

EXAMPLE_PROFILE = CONTENT / "clinic.example.toml"
TOKEN = re.compile(r"\d+:[A-Za-z0-9_-]+")
SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")  # Telegram's rule for secret_token
HOST = re.compile(r"[A-Za-z0-9.-]+")
FIX = "Fix it in .env or the environment; see .env.example."
# Pydantic's own messages for these speak of types; say what to write instead.
PLAIN = {
    "BOT_MODE": "use polling or webhook",
    "WEBHOOK_PORT": "use a port number from 1 to 65535",
    "STAFF_CHAT_ID": "use the staff group's chat id, a number such as -1001234567890",
    "LOG_FORMAT": "use text or json",
    "HEALTH_PORT": "use a port number from 1 to 65535",
    "FLOOD_PER_SECOND": "use Telegram's limit in messages a second, normally 30",
    "FLOOD_PER_CHAT": "use Telegram's limit in one private chat, normally 1",
    "SAFETY_RESERVE": "use how many messages a second stay free for crisis replies, such as 2",
}


class ConfigError(Exception):
    """Each argument is one line that names a setting and says how to fix it."""

    def __str__(self) -> str:
        return "\n".join(self.args)


class Mode(StrEnum):
    POLLING = "polling"
    WEBHOOK = "webhook"


def web_address(value: str) -> bool:
    try:
        parts = urlsplit(value)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # such as a broken [IPv6] host
        return False


def ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def loopback(url: str) -> bool:
    """A Bot API on this machine: the stand-in of the tests, which posts to http webhooks."""
    host = urlsplit(url).hostname or ""
    address = ip(host)
    return host == "localhost" or (address is not None and address.is_loopback)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    bot_mode: Mode = Mode.POLLING
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(8443, ge=1, le=65535)
    webhook_secret: SecretStr | None = None
    database_path: Path = Path("data/iop.db")
    clinic_profile: Path = EXAMPLE_PROFILE
    content_dir: DirectoryPath | None = None
    staff_chat_id: int | None = None
    staff_user_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"
    health_port: int | None = Field(None, ge=1, le=65535)
    health_listen: str = "127.0.0.1"
    flood_per_second: int = Field(30, ge=1, le=1000)
    flood_per_chat: int = Field(1, ge=1, le=100)
    safety_reserve: int = Field(2, ge=0)
    data_encryption_key: SecretStr | None = None
    data_encryption_key_file: Path | None = None

    @model_validator(mode="after")
    def _reserve_leaves_room(self) -> "Settings":
        if self.safety_reserve >= self.flood_per_second:
            raise ValueError("SAFETY_RESERVE: must be less than FLOOD_PER_SECOND, or no "
                             "ordinary message could be sent")
        return self

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        """`NAME=` in .env means unset, as if the line were not there."""
        if isinstance(value, str) and not value.strip():
            raise PydanticUseDefault
        return value

    @field_validator("telegram_bot_token")
    @classmethod
    def _token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not TOKEN.fullmatch(value.get_secret_value()):
            raise ValueError("this is not a bot token (digits, a colon, then letters, no spaces); "
                             "copy it again from @BotFather")
        return value

    @field_validator("telegram_api_base_url")
    @classmethod
    def _api(cls, value: str) -> str:
        if not web_address(value):
            raise ValueError("use the Bot API address, such as https://api.telegram.org/bot")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not web_address(value):
            raise ValueError("use the full public address, such as "
                             "https://bot.example.org/telegram")
        return value

    @field_validator("webhook_listen")
    @classmethod
    def _listen(cls, value: str) -> str:
        if not HOST.fullmatch(value) and ip(value) is None:
            raise ValueError("use an address to listen on, such as 0.0.0.0 for every interface "
                             "or 127.0.0.1 behind a proxy on this machine")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not SECRET.fullmatch(value.get_secret_value()):
            raise ValueError("use 1-256 characters of A-Z a-z 0-9 _ -, "
                             "e.g. from openssl rand -hex 32")
        return value

    @field_validator("database_path")
    @classmethod
    def _file(cls, value: Path) -> Path:
        if value.is_dir():
            raise ValueError("this is a folder; name the database file, such as ./data/iop.db")
        return value

    @field_validator("staff_user_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        parts = [part for part in value.replace(" ", "").split(",") if part]
        if not all(part.isdigit() for part in parts):
            raise ValueError("use comma-separated Telegram user ids (numbers), e.g. 12345,67890")
        return frozenset(int(part) for part in parts)

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("use DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return level

    @model_validator(mode="after")
    def _webhook(self) -> "Settings":
        if self.bot_mode is not Mode.WEBHOOK:
            return self
        problems = []
        if not self.webhook_url:
            problems.append(f"WEBHOOK_URL: webhook mode needs the bot's public https address. "
                            f"{FIX}")
        elif urlsplit(self.webhook_url).scheme != "https" and not loopback(
                self.telegram_api_base_url):
            problems.append(f"WEBHOOK_URL: Telegram posts only to https addresses; use "
                            f"https://... (TLS at your reverse proxy). {FIX}")
        if not self.webhook_secret:
            problems.append(f"WEBHOOK_SECRET: webhook mode needs a secret; use 1-256 characters "
                            f"of A-Z a-z 0-9 _ -, e.g. from openssl rand -hex 32. {FIX}")
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @property
    def token(self) -> str | None:
        return self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else None


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(*[line for err in exc.errors() for line in describe(err)]) from None


def describe(err: dict) -> list[str]:
    """Pydantic's report of one error as lines: the setting, what to write, never a secret."""
    message = err["msg"].removeprefix("Value error, ")
    if not err["loc"]:
        return message.splitlines()  # cross-setting checks already name their settings
    name = str(err["loc"][0]).upper()
    if err["type"] != "value_error":
        message = PLAIN.get(name, message)
    value = err.get("input")
    secret = any(word in name for word in ("TOKEN", "SECRET", "KEY"))
    shown = f" (got {str(value)[:40]!r})" if isinstance(value, str) and not secret else ""
    return [f"{name}: {message}{shown}. {FIX}"]
