"""Signed Statements: the well-formedness checks of Data §2.6.s5."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from services.learning.xapi.errors import StatementInvalid
from services.learning.xapi.signatures import check_signature, signature_hashes

from .builders import set_at, statement
from .signing import APPENDIX_D_JWS, sign, signed
from .spec_examples import APPENDIX_D_SIGNED


def test_the_spec_example_signature_is_well_formed() -> None:
    check_signature(APPENDIX_D_SIGNED, APPENDIX_D_JWS.encode(), "")
    assert signature_hashes(APPENDIX_D_SIGNED) == [APPENDIX_D_SIGNED["attachments"][0]["sha2"]]


@pytest.mark.parametrize("algorithm", ["RS256", "RS384", "RS512"])
def test_a_statement_signed_with_an_rsa_algorithm_verifies(algorithm: str) -> None:
    sent, jws = signed(statement(), sign(statement(), algorithm=algorithm))
    check_signature(sent, jws, "")


def test_a_signature_without_certificate_is_checked_for_its_payload_only() -> None:
    sent, jws = signed(statement(), sign(statement(), x5c=False))
    check_signature(sent, jws, "")


def rejected(sent: dict[str, Any], jws: bytes) -> str:
    with pytest.raises(StatementInvalid) as caught:
        check_signature(sent, jws, "[1]")
    assert caught.value.path == "[1].attachments"
    return caught.value.detail


def test_refuses_a_signature_of_another_statement() -> None:
    other = set_at(statement(), "result.score.scaled", 0.1)
    sent, jws = signed(statement(), sign(other))
    assert "payload" in rejected(sent, jws)


def test_refuses_a_signature_that_does_not_verify() -> None:
    jws = sign(statement())
    head, payload, signature = jws.split(b".")
    tampered = head + b"." + payload + b"." + signature[::-1]
    assert "does not verify" in rejected(signed(statement(), tampered)[0], tampered)


def test_refuses_other_algorithms_and_non_jws_data() -> None:
    header = base64.urlsafe_b64encode(json.dumps({"alg": "HS256"}).encode()).rstrip(b"=")
    payload = base64.urlsafe_b64encode(json.dumps(statement()).encode()).rstrip(b"=")
    hs256 = header + b"." + payload + b".c2ln"
    assert "RS256" in rejected(signed(statement(), hs256)[0], hs256)
    assert "compact" in rejected(signed(statement(), b"not a jws")[0], b"not a jws")
