import shutil
from pathlib import Path

import pytest

from bot import preflight
from bot.config import EXAMPLE_PROFILE, ConfigError, Mode, Settings, load_settings
from bot.profile import load_profile
from tests.conftest import SETTING_NAMES

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
    ({"BOT_MODE": "webhook", "WEBHOOK_SECRET": "s3cret"}, "WEBHOOK_URL"),
    ({"BOT_MODE": "webhook", "WEBHOOK_URL": "https://x.example/h"}, "WEBHOOK_SECRET"),
    ({"BOT_MODE": "carrier-pigeon"}, "BOT_MODE"),
    ({"WEBHOOK_PORT": "99999"}, "WEBHOOK_PORT"),
    ({"STAFF_USER_IDS": "12,abc"}, "STAFF_USER_IDS"),
    ({"STAFF_USER_IDS": "-100123"}, "STAFF_USER_IDS"),
    ({"STAFF_CHAT_ID": "staff"}, "STAFF_CHAT_ID"),
    ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
    ({"TELEGRAM_BOT_TOKEN": "not a token"}, "TELEGRAM_BOT_TOKEN"),
    ({"TELEGRAM_API_BASE_URL": "api.telegram.org/bot"}, "TELEGRAM_API_BASE_URL"),
    ({"WEBHOOK_URL": "bot.example.org/hook"}, "WEBHOOK_URL"),
    ({"WEBHOOK_LISTEN": "0.0.0.0:8443"}, "WEBHOOK_LISTEN"),
    ({"WEBHOOK_SECRET": "has spaces"}, "WEBHOOK_SECRET"),
    ({"DATABASE_PATH": "."}, "DATABASE_PATH"),
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
    assert message.startswith(f"{names}: ")
    assert "\n" not in message
    assert "Input should" not in message and "Value error" not in message


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


def test_ids_in_plain_words(monkeypatch):
    monkeypatch.setenv("STAFF_USER_IDS", "abc")
    monkeypatch.setenv("STAFF_CHAT_ID", "abc")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert caught.value.args == (
        "STAFF_CHAT_ID: use the staff group's chat id, a number such as -1001234567890 "
        "(got 'abc'). Fix it in .env or the environment; see .env.example.",
        "STAFF_USER_IDS: use comma-separated Telegram user ids (numbers), e.g. 12345,67890 "
        "(got 'abc'). Fix it in .env or the environment; see .env.example.")


@pytest.mark.parametrize("name", SETTING_NAMES)
@pytest.mark.parametrize("blank", ["", "  "])
def test_blank_means_unset(monkeypatch, name, blank):
    monkeypatch.setenv(name, blank)
    field = name.lower()
    assert getattr(load_settings(), field) == Settings.model_fields[field].default


def test_env_example_loads_as_defaults(tmp_path):
    shutil.copy(EXAMPLE_PROFILE.parent.parent / ".env.example", tmp_path / ".env")
    settings = load_settings()
    assert settings.token is None
    assert settings.staff_chat_id is None
    assert settings.clinic_profile == EXAMPLE_PROFILE


def webhook(monkeypatch, url: str, api: str | None = None) -> None:
    monkeypatch.setenv("BOT_MODE", "webhook")
    monkeypatch.setenv("WEBHOOK_URL", url)
    monkeypatch.setenv("WEBHOOK_SECRET", "s3cret")
    if api:
        monkeypatch.setenv("TELEGRAM_API_BASE_URL", api)


def test_webhook_url_must_be_https(monkeypatch):
    webhook(monkeypatch, "http://bot.example.org/hook")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert str(caught.value).startswith("WEBHOOK_URL: Telegram posts only to https addresses")


@pytest.mark.parametrize("api", ["http://127.0.0.1:8081/bot", "http://localhost:8081/bot",
                                 "http://[::1]:8081/bot"])
def test_http_webhook_with_a_loopback_bot_api(monkeypatch, api):
    webhook(monkeypatch, "http://127.0.0.1:9000/hook", api)
    assert load_settings().webhook_url == "http://127.0.0.1:9000/hook"


def test_webhook_problems_one_line_each(monkeypatch):
    monkeypatch.setenv("BOT_MODE", "webhook")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert [line.split(":")[0] for line in caught.value.args] == ["WEBHOOK_URL",
                                                                  "WEBHOOK_SECRET"]


@pytest.mark.parametrize(("secret", "ok"), [
    ("a", True), ("A-z_0-9", True), ("x" * 256, True),
    ("x" * 257, False), ("with space", False), ("sécret", False), ("a+b", False),
])
def test_webhook_secret_follows_telegram(monkeypatch, secret, ok):
    webhook(monkeypatch, "https://bot.example.org/hook")
    monkeypatch.setenv("WEBHOOK_SECRET", secret)
    if ok:
        assert load_settings().webhook_secret.get_secret_value() == secret
        return
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert str(caught.value).startswith("WEBHOOK_SECRET: use 1-256 characters")
    assert secret not in str(caught.value)


@pytest.mark.parametrize("listen", ["0.0.0.0", "127.0.0.1", "::", "localhost"])
def test_listen_addresses(monkeypatch, listen):
    monkeypatch.setenv("WEBHOOK_LISTEN", listen)
    assert load_settings().webhook_listen == listen


def test_bad_token_never_echoed(monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "12345 very-secret")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert "very-secret" not in str(caught.value)


def test_example_profile_is_fictional(profile, tmp_path):
    assert profile.fictional
    assert not load_profile(example_with("fictional = true\n", "", tmp_path)).fictional


KEY = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="


def production(**settings: object) -> Settings:
    values = {"telegram_bot_token": "1:x", "staff_chat_id": -100123, "staff_user_ids": "501",
              "data_encryption_key": KEY}
    return load_settings(**(values | settings))


def real(profile, **safety: object):
    return profile.model_copy(update={"fictional": False,
                                      "safety": profile.safety.model_copy(update=safety)})


def problems(settings: Settings, profile) -> list[str]:
    try:
        preflight.check(settings, profile)
    except ConfigError as exc:
        assert all("\n" not in line for line in exc.args)
        return list(exc.args)
    return []


def test_preflight_passes_a_real_clinic(profile):
    assert problems(production(), real(profile, on_call_user_ids=[501])) == []


def test_preflight_refuses_the_example(profile):
    (line,) = problems(production(), profile)
    assert line.startswith(f"CLINIC_PROFILE: {EXAMPLE_PROFILE} is the fictional example")
    assert "set fictional = false" in line


@pytest.mark.parametrize(("settings", "safety", "start"), [
    ({"staff_chat_id": None}, {}, "STAFF_CHAT_ID: not set, so crisis pages would go nowhere"),
    ({"staff_user_ids": ""}, {}, "STAFF_USER_IDS: empty, so no one could acknowledge"),
    ({}, {"on_call_user_ids": [501, 777]}, "STAFF_USER_IDS: lacks 777, paged on call"),
    ({}, {"backup_user_ids": [9, 8]}, "STAFF_USER_IDS: lacks 8, 9, paged on call"),
])
def test_preflight_needs_an_on_call_path(profile, settings, safety, start):
    (line,) = problems(production(**settings), real(profile, **safety))
    assert line.startswith(start)


@pytest.mark.parametrize("field", ["emergency", "lifeline"])
def test_preflight_needs_the_crisis_lines(profile, field):
    clinic = real(profile)
    clinic = clinic.model_copy(update={"support": clinic.support.model_copy(
        update={field: " "})})
    (line,) = problems(production(), clinic)
    assert line.startswith(f"CLINIC_PROFILE: support.{field} is empty")
    assert "no on-call path" in line


def test_preflight_counts_the_staff_in_the_database_over_the_seed(profile):
    clinic = real(profile, on_call_user_ids=[777])
    (line,) = problems(production(), clinic)
    assert line.startswith("STAFF_USER_IDS: lacks 777")
    preflight.check(production(), clinic, frozenset({777}))


def test_preflight_needs_a_data_key(profile):
    (line,) = problems(production(data_encryption_key=None), real(profile))
    assert line.startswith("DATA_ENCRYPTION_KEY: not set, so names, phones and notes could not")
    assert "iop-bot keygen" in line


def test_preflight_takes_a_key_file_and_reads_it(profile, tmp_path):
    key_file = tmp_path / "key"
    settings = production(data_encryption_key=None, data_encryption_key_file=key_file)
    (line,) = problems(settings, real(profile))
    assert line.startswith("DATA_ENCRYPTION_KEY_FILE: cannot read")
    key_file.write_text(KEY + "\n")
    assert problems(settings, real(profile)) == []


def test_preflight_lists_every_problem(profile):
    lines = problems(production(staff_chat_id=None, staff_user_ids=""), profile)
    assert [line.split(":")[0] for line in lines] == ["STAFF_CHAT_ID", "CLINIC_PROFILE",
                                                      "STAFF_USER_IDS"]
