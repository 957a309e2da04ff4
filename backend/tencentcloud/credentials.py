"""A sandbox's API key pair (SecretId/SecretKey), and how the SecretKey is kept at rest.

TC3-HMAC-SHA256 is an HMAC: checking a signature needs the SecretKey itself, so it cannot be
stored as a one-way hash the way the sandbox tokens are. It is stored encrypted (AES-256-GCM,
the SecretId as associated data) under a server key that is not in Redis: a copy of Redis
alone gives no usable key.
"""

import base64
import hashlib
import os
import secrets
import string
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

ALPHABET = string.ascii_letters + string.digits
SECRET_ID_PREFIX = "AKID"
VERSION = "v1"


@dataclass(frozen=True)
class KeyPair:
    secret_id: str
    secret_key: str

    def public(self) -> dict:
        return {"secret_id": self.secret_id, "secret_key": self.secret_key}


def new_pair() -> KeyPair:
    """The real format: `AKID` + 32 letters and digits, and a 32-character SecretKey."""
    pick = lambda n: "".join(secrets.choice(ALPHABET) for _ in range(n))  # noqa: E731
    return KeyPair(SECRET_ID_PREFIX + pick(32), pick(32))


def server_key(material: bytes) -> bytes:
    """Any configured material (a file's bytes, an env var) → the 32-byte AES key."""
    return hashlib.sha256(b"icpsim-secret-key-v1\0" + material).digest()


def seal(key: bytes, pair: KeyPair) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, pair.secret_key.encode(), pair.secret_id.encode())
    return f"{VERSION}:{base64.b64encode(nonce + sealed).decode()}"


def unseal(key: bytes, secret_id: str, stored: str):
    """The SecretKey, or None when it cannot be read (another server key, a tampered value)."""
    try:
        version, blob = stored.split(":", 1)
        raw = base64.b64decode(blob, validate=True)
        if version != VERSION or len(raw) < 13:
            return None
        return AESGCM(key).decrypt(raw[:12], raw[12:], secret_id.encode()).decode()
    except (ValueError, InvalidTag, UnicodeDecodeError):
        return None
