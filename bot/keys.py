"""Where the data key comes from: DATA_ENCRYPTION_KEY, DATA_ENCRYPTION_KEY_FILE, or, for the
demo and tests only, a key file made beside the database (production refuses to start
without one of the first two; see bot/preflight.py)."""

import logging
import os
from pathlib import Path

from bot.config import FIX, ConfigError, Settings
from bot.storage.vault import SealError, Vault, new_key, parse_keys

log = logging.getLogger(__name__)


def local_key(database: Path) -> Path:
    return database.with_name(database.name + ".key")


def vault_for(settings: Settings) -> Vault:
    if settings.data_encryption_key is not None:
        return _vault("DATA_ENCRYPTION_KEY", settings.data_encryption_key.get_secret_value())
    path = settings.data_encryption_key_file or local_key(settings.database_path)
    name = "DATA_ENCRYPTION_KEY_FILE"
    if settings.data_encryption_key_file is None and not path.exists():
        make_key_file(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{name}: cannot read {path} ({type(exc).__name__}). {FIX}") from None
    return _vault(name, text)


def make_key_file(path: Path) -> None:
    """Written whole and then linked into place, so a second process starting at the same
    moment reads the same key, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with os.fdopen(os.open(temp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600), "w") as file:
        file.write(new_key() + "\n")
    try:
        os.link(temp, path)
        log.info("made a data key for this demo or test database beside it")
    except FileExistsError:
        pass  # another process made it first: use theirs
    finally:
        temp.unlink()


def _vault(name: str, text: str) -> Vault:
    try:
        return Vault(parse_keys(text))
    except SealError as exc:
        raise ConfigError(f"{name}: {exc}. {FIX}") from None
