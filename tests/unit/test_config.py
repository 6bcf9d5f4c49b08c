import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import EXAMPLE_PROFILE, ConfigError, Mode, load_settings
from bot.profile import load_profile

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_need_nothing():
    settings = load_settings()
    assert settings.token is None
    assert settings.bot_mode is Mode.POLLING
    assert settings.database_path == Path("data/iop.db")
    assert settings.clinic_profile == EXAMPLE_PROFILE
    assert settings.staff_user_ids == frozenset()


def test_env_names_are_read(monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:abc")
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://127.0.0.1:9/bot")
    monkeypatch.setenv("STAFF_USER_IDS", " 11, 22,33 ")
    monkeypatch.setenv("STAFF_CHAT_ID", "-1001")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    settings = load_settings()
    assert settings.token == "1:abc"
    assert settings.telegram_api_base_url == "http://127.0.0.1:9/bot"
    assert settings.staff_user_ids == {11, 22, 33}
    assert settings.staff_chat_id == -1001
    assert settings.log_level == "DEBUG"


def test_dotenv_file_is_read(tmp_path):
    (tmp_path / ".env").write_text("BOT_MODE=webhook\nWEBHOOK_URL=https://x.example/hook\n"
                                   "WEBHOOK_SECRET=s3cret\n")
    settings = load_settings()
    assert settings.bot_mode is Mode.WEBHOOK
    assert settings.webhook_secret.get_secret_value() == "s3cret"


@pytest.mark.parametrize(("env", "names"), [
    ({"BOT_MODE": "webhook"}, "WEBHOOK_URL"),
    ({"BOT_MODE": "webhook", "WEBHOOK_URL": "https://x.example/h"}, "WEBHOOK_SECRET"),
    ({"BOT_MODE": "carrier-pigeon"}, "BOT_MODE"),
    ({"WEBHOOK_PORT": "99999"}, "WEBHOOK_PORT"),
    ({"STAFF_USER_IDS": "12,abc"}, "STAFF_USER_IDS"),
    ({"STAFF_CHAT_ID": "staff"}, "STAFF_CHAT_ID"),
    ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
    ({"LOG_FORMAT": "xml"}, "LOG_FORMAT"),
    ({"HEALTH_PORT": "0"}, "HEALTH_PORT"),
    ({"CONTENT_DIR": "/nowhere/content"}, "CONTENT_DIR"),
])
def test_bad_settings_give_one_line(monkeypatch, env, names):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert names in message
    assert "\n" not in message


def test_secret_values_never_echoed(monkeypatch):
    monkeypatch.setenv("BOT_MODE", "webhook")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:very-secret")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert "very-secret" not in str(caught.value)


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "clinic.toml"
    path.write_text(text)
    return path


def example_with(old: str, new: str, tmp_path) -> Path:
    return write(tmp_path, EXAMPLE_PROFILE.read_text().replace(old, new))


@pytest.mark.parametrize(("old", "new", "expect"), [
    ('timezone = "America/Chicago"', 'timezone = "Mars/Olympus"', "clinic.timezone"),
    ('phone = "(608) 555-0142"\n', "", "clinic.phone"),
    ('group_hours = 3', 'group_hours = -1', "program.group_hours"),
    ('group_days = ["mon", "wed", "fri"]', 'group_days = ["someday"]', "program.group_days"),
    ('repage_minutes = 5', 'repage_minutez = 5', "safety.repage_minutez"),
    ('[program]', '[program', "not valid TOML"),
])
def test_bad_profile_gives_one_line(tmp_path, old, new, expect):
    path = example_with(old, new, tmp_path)
    with pytest.raises(ConfigError) as caught:
        load_profile(path)
    assert expect in str(caught.value)
    assert str(caught.value).startswith("CLINIC_PROFILE")
    assert "\n" not in str(caught.value)


def test_missing_profile(tmp_path):
    with pytest.raises(ConfigError, match="CLINIC_PROFILE: no file"):
        load_profile(tmp_path / "nope.toml")


def test_example_profile_has_every_support_contact(profile):
    support = profile.support
    assert support.emergency == "911"
    assert support.lifeline == "988"
    assert (support.crisis_text_keyword, support.crisis_text_number) == ("HOME", "741741")
    assert support.samhsa_helpline == "1-800-662-4357"
    assert support.for_language("es").crisis_text_keyword == "AYUDA"
    assert support.for_language("fr").crisis_text_keyword == "HOME"


@pytest.mark.parametrize(("env", "expect"), [
    ({"BOT_MODE": "webhook", "TELEGRAM_BOT_TOKEN": "1:x"}, "WEBHOOK_URL"),
    ({"CLINIC_PROFILE": "/nowhere/clinic.toml", "TELEGRAM_BOT_TOKEN": "1:x"}, "CLINIC_PROFILE"),
])
def test_program_exits_with_one_clear_line(tmp_path, env, expect):
    clean = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **env}
    result = subprocess.run([sys.executable, "-m", "bot"], cwd=tmp_path, env=clean,
                            capture_output=True, text=True, timeout=60,
                            check=False)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expect in lines[0]
    assert "Traceback" not in result.stderr
