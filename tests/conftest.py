from pathlib import Path

import pytest

from bot.content import Content
from bot.profile import Profile, load_profile

EXAMPLE = Path(__file__).resolve().parent.parent / "content" / "clinic.example.toml"
SETTING_NAMES = [
    "TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL", "BOT_MODE", "WEBHOOK_URL", "WEBHOOK_LISTEN",
    "WEBHOOK_PORT", "WEBHOOK_SECRET", "DATABASE_PATH", "CLINIC_PROFILE", "STAFF_CHAT_ID",
    "STAFF_USER_IDS", "LOG_LEVEL", "LOG_FORMAT", "CONTENT_DIR", "HEALTH_PORT", "HEALTH_LISTEN",
]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    """No test reads the developer's own .env or environment."""
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def profile() -> Profile:
    return load_profile(EXAMPLE)


@pytest.fixture(scope="session")
def content(profile) -> Content:
    return Content(profile)
