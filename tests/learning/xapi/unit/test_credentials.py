"""LMS credentials: secrets are stored as salted scrypt hashes and compared in constant time."""

from __future__ import annotations

from services.learning.xapi.credentials import (
    VerifiedSecrets,
    authority_agent,
    hash_secret,
    new_key,
    new_secret,
    secret_matches,
)
from services.learning.xapi.validation import validate_statement

from .builders import statement


def test_a_secret_matches_its_hash_and_nothing_else() -> None:
    secret = new_secret()
    stored = hash_secret(secret)
    assert secret_matches(secret, stored)
    assert not secret_matches(secret + "x", stored)
    assert secret.encode() not in stored.digest


def test_each_hash_has_its_own_salt() -> None:
    assert hash_secret("same").digest != hash_secret("same").digest


def test_keys_are_readable_and_unique() -> None:
    first, second = new_key("Relias LMS"), new_key("Relias LMS")
    assert first.startswith("relias-lms-") and first != second


def test_the_authority_is_a_valid_agent_identified_by_account() -> None:
    validate_statement(statement(authority=authority_agent("relias-1", "Relias")))


def test_the_memo_forgets_a_secret_once_the_stored_hash_changes() -> None:
    memo = VerifiedSecrets()
    before, after = hash_secret("old"), hash_secret("new")
    memo.remember("k", before, "old")
    assert memo.known("k", before, "old")
    assert not memo.known("k", before, "other")
    assert not memo.known("k", after, "old")
