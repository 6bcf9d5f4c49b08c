"""Field encryption at rest: AES-256-GCM per value, with the key's id in each value.

A sealed value reads `enc1:<key id>:<base64 of nonce and ciphertext>`. The column's name is
the associated data, so a value copied into a column of another kind does not open
(`saved_answers` shares `answers`' on purpose: it is a copy). Several keys may
be configured: the first seals, every one opens, which is what lets `iop-bot rotate-key`
re-seal a running clinic's data step by step.

Lookups that need equality use `mac`: a keyed HMAC, never the plaintext.
"""

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "enc1:"
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16


class SealError(ValueError):
    """A key that is not 32 bytes of url-safe base64, or a value no configured key opens."""


def new_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def parse_keys(text: str) -> list[bytes]:
    """Keys separated by commas or lines; the first one seals."""
    keys = []
    for part in text.replace(",", "\n").splitlines():
        if not (part := part.strip()) or part.startswith("#"):
            continue
        try:
            key = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        except (binascii.Error, ValueError):
            key = b""
        if len(key) != KEY_BYTES:
            raise SealError("a key must be 32 random bytes in url-safe base64 (44 characters), "
                            "as `iop-bot keygen` prints")
        keys.append(key)
    if not keys:
        raise SealError("no key given; `iop-bot keygen` prints a new one")
    return keys


def key_id(key: bytes) -> str:
    return hashlib.sha256(b"iop-key-id\0" + key).hexdigest()[:8]


def _subkey(key: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=purpose).derive(key)


class Vault:
    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise SealError("no key given")
        self.ids = [key_id(key) for key in keys]
        self.kid = self.ids[0]
        self._aead = {kid: AESGCM(_subkey(key, b"iop-seal"))
                      for kid, key in zip(self.ids, keys, strict=True)}
        self._mac = {kid: _subkey(key, b"iop-mac") for kid, key in zip(self.ids, keys, strict=True)}

    def seal(self, field: str, text: str | None) -> str | None:
        if text is None:
            return None
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead[self.kid].encrypt(nonce, text.encode(), field.encode())
        return f"{PREFIX}{self.kid}:{base64.b64encode(nonce + sealed).decode()}"

    def open(self, field: str, value: str | None) -> str | None:
        """The plaintext. A value written before encryption existed is returned as it is,
        until `rotate-key` seals it."""
        if value is None or not value.startswith(PREFIX):
            return value
        kid, _, body = value[len(PREFIX):].partition(":")
        aead = self._aead.get(kid)
        if aead is None:
            raise SealError(f"a value is sealed with key {kid}, which is not configured")
        try:
            raw = base64.b64decode(body, validate=True)
            if len(raw) < NONCE_BYTES + TAG_BYTES:
                raise InvalidTag
            return aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], field.encode()).decode()
        except (InvalidTag, binascii.Error, ValueError):
            raise SealError(f"a value in {field} does not open with key {kid}") from None

    def current(self, value: str | None) -> bool:
        """Sealed with the key that seals now (or empty): nothing for rotation to do."""
        return value is None or value.startswith(f"{PREFIX}{self.kid}:")

    def mac(self, field: str, text: str, kid: str | None = None) -> str:
        key = self._mac[kid or self.kid]
        digest = hmac.new(key, f"{field}\0{text}".encode(), hashlib.sha256).hexdigest()
        return f"{kid or self.kid}:{digest}"

    def macs(self, field: str, text: str) -> list[str]:
        """The value's MAC under every configured key, for lookups during a rotation."""
        return [self.mac(field, text, kid) for kid in self.ids]
