"""Deployment settings, read once from the environment and `.env`."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    DirectoryPath,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.paths import CONTENT

EXAMPLE_PROFILE = CONTENT / "clinic.example.toml"


class ConfigError(Exception):
    """One line that names the setting and says how to fix it."""


class Mode(StrEnum):
    POLLING = "polling"
    WEBHOOK = "webhook"


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

    @field_validator("telegram_bot_token", "webhook_secret", "webhook_url", "content_dir",
                     "health_port", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("staff_user_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(int(part) for part in value.replace(" ", "").split(",") if part)
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("use DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return level

    @model_validator(mode="after")
    def _webhook_needs_url(self) -> "Settings":
        if self.bot_mode is Mode.WEBHOOK:
            if not self.webhook_url:
                raise ValueError("WEBHOOK_URL: webhook mode needs the public https URL")
            if not self.webhook_secret:
                raise ValueError("WEBHOOK_SECRET: webhook mode needs a secret token")
        return self

    @property
    def token(self) -> str | None:
        return self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else None


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(describe(exc)) from None


def describe(exc: ValidationError) -> str:
    """Turn pydantic's report into one line: the setting, what is wrong, how to fix it."""
    err = exc.errors()[0]
    name = "_".join(str(part) for part in err["loc"]).upper()
    message = err["msg"].removeprefix("Value error, ")
    if not name:
        return f"Invalid configuration: {message}"
    value = err.get("input")
    secret = "TOKEN" in name or "SECRET" in name
    plain = value is not None and not isinstance(value, dict) and not secret
    shown = f" (got {str(value)[:40]!r})" if plain else ""
    return f"{name}: {message}{shown}. Fix it in .env or the environment; see .env.example."
