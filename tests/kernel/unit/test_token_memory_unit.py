"""The token verifier remembers accepted tokens, never past their expiry, never refusals."""

from __future__ import annotations

import time

import jwt
import pytest
from pydantic import SecretStr

from shared import auth
from shared.auth import Principal, Role, TokenVerifier, issue_token
from shared.problems import Unauthorized
from tests.kernel.probe import ProbeSettings

SETTINGS = ProbeSettings(jwt_secret=SecretStr("s" * 40))


def a_token(ttl: int = 60, subject: str = "u1") -> str:
    return issue_token(
        SETTINGS, subject=subject, agency_id="agency-a", roles=["coach"], ttl_seconds=ttl
    )


async def test_a_remembered_token_is_refused_once_it_has_expired(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    verifier = TokenVerifier(SETTINGS)
    token = a_token(ttl=30)
    assert await verifier.verify(token) == Principal("u1", "agency-a", frozenset({Role.COACH}))
    later = time.time() + 31
    monkeypatch.setattr(auth.time, "time", lambda: later)
    monkeypatch.setattr(jwt.api_jwt, "datetime", _frozen_datetime(later))
    with pytest.raises(Unauthorized, match="expired"):
        await verifier.verify(token)


async def test_a_refused_token_is_checked_again_every_time() -> None:
    verifier = TokenVerifier(SETTINGS)
    forged = jwt.encode({"sub": "u1"}, "another-secret-of-at-least-32-bytes!!", algorithm="HS256")
    for _ in range(2):
        with pytest.raises(Unauthorized, match="not valid"):
            await verifier.verify(forged)
    assert verifier._accepted == {}


async def test_the_verifier_remembers_a_bounded_number_of_tokens(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(TokenVerifier, "REMEMBERED", 3)
    verifier = TokenVerifier(SETTINGS)
    tokens = [a_token(subject=f"u{n}") for n in range(5)]
    for token in tokens:
        await verifier.verify(token)
    assert list(verifier._accepted) == tokens[2:]


def _frozen_datetime(at: float) -> type:
    from datetime import UTC, datetime

    class Frozen(datetime):
        @classmethod
        def now(cls, tz: object = None) -> datetime:  # type: ignore[override]
            return datetime.fromtimestamp(at, tz=UTC)

    return Frozen
