"""LMS-partner credentials for HTTP Basic: generated, hashed, verified.

A credential is a public `key` (the Basic user name) and a random `secret` (the
password) shown once. Only an scrypt hash of the secret is stored, with a salt of its
own; verification recomputes it and compares in constant time. scrypt is deliberately
slow (tens of milliseconds), so the API keeps a per-process memo of secrets it has
already verified against the *current* stored hash (`VerifiedSecrets`): a rotation
changes the hash, which invalidates the memo on every replica at once.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

# RFC 7914 recommends N=2^14, r=8, p=1 for interactive logins (16 MiB, tens of ms)
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SCRYPT_LENGTH = 32
AUTHORITY_HOME_PAGE = "https://miiwrap.org/xapi-credentials"
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
KEY_RULE = "3-64 characters: lowercase letters, digits, '.', '_' or '-', not starting with a symbol"


@dataclass(frozen=True)
class SecretHash:
    """What is stored for a secret: the scrypt digest, its salt and its cost."""

    digest: bytes
    salt: bytes
    n: int = SCRYPT_N
    r: int = SCRYPT_R
    p: int = SCRYPT_P


def new_key(partner_name: str) -> str:
    """A readable, unique Basic user name such as `relias-3f9a1c2b`."""
    slug = re.sub(r"[^a-z0-9]+", "-", partner_name.lower()).strip("-")[:40] or "lms"
    return f"{slug}-{secrets.token_hex(4)}"


def new_secret() -> str:
    """A random secret with 256 bits of entropy, URL-safe."""
    return secrets.token_urlsafe(32)


def hash_secret(secret: str, *, salt: bytes | None = None) -> SecretHash:
    """scrypt of the secret with a fresh 16-byte salt (or `salt`, for tests)."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    return SecretHash(digest=_scrypt(secret, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P), salt=salt)


def secret_matches(secret: str, stored: SecretHash) -> bool:
    """Whether `secret` hashes to the stored digest (constant-time comparison)."""
    candidate = _scrypt(secret, stored.salt, stored.n, stored.r, stored.p)
    return hmac.compare_digest(candidate, stored.digest)


def authority_agent(key: str, partner_name: str) -> dict[str, object]:
    """The Agent the LRS writes as `authority` for statements sent with this credential."""
    return {
        "objectType": "Agent",
        "name": partner_name,
        "account": {"homePage": AUTHORITY_HOME_PAGE, "name": key},
    }


class VerifiedSecrets:
    """Memo of (key, stored digest) → fingerprint of the secret that matched it.

    The fingerprint is a keyed BLAKE2 of the secret under a per-process random key,
    so the memo never holds a secret or anything usable outside this process.
    """

    def __init__(self, max_entries: int = 10_000) -> None:
        self._pepper = secrets.token_bytes(32)
        self._entries: dict[tuple[str, bytes], bytes] = {}
        self._max_entries = max_entries

    def known(self, key: str, stored: SecretHash, secret: str) -> bool:
        remembered = self._entries.get((key, stored.digest))
        return remembered is not None and hmac.compare_digest(remembered, self._print(secret))

    def remember(self, key: str, stored: SecretHash, secret: str) -> None:
        if len(self._entries) >= self._max_entries:
            self._entries.clear()
        self._entries[(key, stored.digest)] = self._print(secret)

    def _print(self, secret: str) -> bytes:
        return hashlib.blake2b(secret.encode(), key=self._pepper, digest_size=32).digest()


def _scrypt(secret: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        secret.encode(), salt=salt, n=n, r=r, p=p, maxmem=256 * 1024 * 1024, dklen=SCRYPT_LENGTH
    )
