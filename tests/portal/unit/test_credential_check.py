"""What the public verification page sends certification, from what a visitor gave it."""

from __future__ import annotations

import base64

import pytest

from services.portal.domain.credential_check import (
    PNG_SIGNATURE,
    NothingToCheckError,
    verification_body,
)


def test_a_pasted_jwt_or_json_and_an_uploaded_badge_become_the_verify_body() -> None:
    assert verification_body("  eyJh.eyJi.c2ln \n", None) == {"credential": "eyJh.eyJi.c2ln"}
    assert verification_body('{"jwt": "eyJh"}', None) == {"credential": {"jwt": "eyJh"}}
    png = PNG_SIGNATURE + b"rest of the image"
    assert verification_body("ignored", png) == {"image": base64.b64encode(png).decode()}
    assert verification_body("", b"eyJh.eyJi.c2ln") == {"credential": "eyJh.eyJi.c2ln"}


@pytest.mark.parametrize(
    ("pasted", "uploaded", "hint"),
    [
        ("", None, "Paste a credential"),
        ("{not json", None, "does not parse"),
        ("", b"\xff\xfe\x00binary", "neither a PNG badge"),
        ("", PNG_SIGNATURE + b"x" * 1_000_001, "larger than 1 MB"),
    ],
)
def test_nothing_checkable_is_refused_saying_what_to_send(
    pasted: str, uploaded: bytes | None, hint: str
) -> None:
    with pytest.raises(NothingToCheckError, match=hint):
        verification_body(pasted, uploaded)
