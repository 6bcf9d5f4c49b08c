import os

import pytest

from bot.config import ConfigError, load_settings
from bot.keys import local_key, vault_for
from bot.storage.vault import PREFIX, SealError, Vault, key_id, new_key, parse_keys
from tests.samples import vault


def test_a_sealed_value_opens_only_in_its_own_field():
    sealed = vault().seal("clients.name", "Marisol Quintero-Vance")
    assert sealed.startswith(f"{PREFIX}{vault().kid}:")
    assert "Marisol" not in sealed
    assert vault().open("clients.name", sealed) == "Marisol Quintero-Vance"
    with pytest.raises(SealError, match="does not open"):
        vault().open("sessions.reason", sealed)


def test_the_same_text_seals_differently_each_time():
    assert vault().seal("f", "x") != vault().seal("f", "x")


def test_none_and_text_from_before_encryption_pass_through():
    assert vault().seal("f", None) is None
    assert vault().open("f", None) is None
    assert vault().open("f", '{"name": "old"}') == '{"name": "old"}'


def test_a_tampered_value_is_refused():
    sealed = vault().seal("f", "hello")
    body = sealed[-8:]
    tampered = sealed[:-8] + ("A" * 8 if body != "A" * 8 else "B" * 8)
    with pytest.raises(SealError):
        vault().open("f", tampered)


def test_old_keys_open_and_the_first_seals():
    old = vault(1).seal("f", "kept")
    ring = vault(2, 1)
    assert ring.open("f", old) == "kept"
    assert not ring.current(old)
    assert ring.current(ring.seal("f", "new"))
    with pytest.raises(SealError, match="not configured"):
        vault(2).open("f", old)


def test_macs_match_across_keys_for_lookups_during_a_rotation():
    assert vault(1).mac("phone", "+15551234567") in vault(2, 1).macs("phone", "+15551234567")
    assert vault(1).mac("phone", "+15551234567") != vault(1).mac("phone", "+15551234568")
    assert vault(1).mac("phone", "+1555") != vault(1).mac("other", "+1555")
    assert "5551234567" not in vault(1).mac("phone", "+15551234567")


def test_keys_parse_from_commas_lines_and_comments():
    first, second = new_key(), new_key()
    keys = parse_keys(f"# current first\n{first}\n\n{second}\n")
    assert keys == parse_keys(f"{first}, {second}")
    assert Vault(keys).kid == key_id(keys[0])


@pytest.mark.parametrize("text", ["", "short", "A" * 44 + "!", "# only a comment"])
def test_bad_keys_say_what_a_key_is(text):
    with pytest.raises(SealError):
        parse_keys(text)


def test_the_demo_makes_a_private_key_file_beside_its_database(tmp_path):
    settings = load_settings(database_path=tmp_path / "iop.db")
    made = vault_for(settings)
    path = local_key(tmp_path / "iop.db")
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    assert vault_for(settings).kid == made.kid


def test_a_configured_key_wins_and_errors_name_the_setting_without_the_value(tmp_path):
    key = new_key()
    assert vault_for(load_settings(data_encryption_key=key)).kid == key_id(parse_keys(key)[0])
    with pytest.raises(ConfigError) as error:
        vault_for(load_settings(data_encryption_key="not-a-key-at-all"))
    assert str(error.value).startswith("DATA_ENCRYPTION_KEY: a key must be 32 random bytes")
    assert "not-a-key-at-all" not in str(error.value)
    with pytest.raises(ConfigError, match="DATA_ENCRYPTION_KEY_FILE: cannot read"):
        vault_for(load_settings(data_encryption_key_file=tmp_path / "missing"))


@pytest.mark.parametrize("body", ["", "AAAA", "not base64!", "QUJD"])
def test_a_cut_or_garbled_value_is_refused_as_such(body):
    with pytest.raises(SealError, match="does not open"):
        vault().open("f", f"{PREFIX}{vault().kid}:{body}")
