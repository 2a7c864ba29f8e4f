"""Signed Statements (Data §2.6): the checks that make a signature well formed.

A signed Statement carries a JWS (compact serialization) as an Attachment with usageType
`.../attachments/signature`. The LRS MUST reject a malformed one with 400 (§2.6.s5):
the JWS must decode, use RS256/RS384/RS512, carry as payload a Statement logically
equivalent to the one received, and — when its header has an X.509 chain (`x5c`) —
verify against the first certificate. As the spec notes, this catches mistakes; it
does not establish trust in the signer.
"""

from __future__ import annotations

import base64
import binascii
import json
import warnings
from collections.abc import Mapping

import jwt
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from .attachments import SIGNATURE_USAGE_TYPE
from .comparison import same_statement
from .decoding import decode_json
from .errors import StatementInvalid
from .structure import JsonObject, child

ALGORITHMS = ("RS256", "RS384", "RS512")


def signature_hashes(statement: JsonObject) -> list[str]:
    """The sha2 of each signature Attachment the Statement declares (lower-case)."""
    attachments = statement.get("attachments")
    return [
        str(attachment["sha2"]).lower()
        for attachment in (attachments if isinstance(attachments, list) else [])
        if isinstance(attachment, Mapping) and attachment.get("usageType") == SIGNATURE_USAGE_TYPE
    ]


def check_signature(statement: JsonObject, jws: bytes, path: str) -> None:
    """Raise `StatementInvalid` at `path` unless `jws` is a well-formed signature of it."""
    where = child(path, "attachments")
    try:
        header_segment, payload_segment, _ = jws.decode("ascii").strip().split(".")
        header = json.loads(_b64url(header_segment))
        payload = decode_json(_b64url(payload_segment))
    except (UnicodeDecodeError, ValueError, binascii.Error, StatementInvalid) as error:
        raise StatementInvalid(
            f"the signature is not a JWS in compact serialization: {error}", where
        ) from error
    if not isinstance(header, dict) or header.get("alg") not in ALGORITHMS:
        raise StatementInvalid(
            f"the signature's JWS algorithm must be one of {', '.join(ALGORITHMS)}", where
        )
    if not isinstance(payload, dict) or not _signs(payload, statement):
        raise StatementInvalid(
            "the signature's payload is not the Statement received (as it was before the "
            "signature Attachment was added)",
            where,
        )
    chain = header.get("x5c")
    if chain is not None:
        _verify_with_certificate(jws, str(header["alg"]), chain, where)


def _signs(payload: JsonObject, statement: JsonObject) -> bool:
    if "id" in payload and str(payload["id"]).lower() != str(statement.get("id", "")).lower():
        return False
    return same_statement(payload, statement)


def _verify_with_certificate(jws: bytes, algorithm: str, chain: object, where: str) -> None:
    try:
        if not isinstance(chain, list) or not chain or not isinstance(chain[0], str):
            raise ValueError("x5c must be a non-empty array of base64 certificates")
        certificate = x509.load_der_x509_certificate(base64.b64decode(chain[0], validate=True))
        key = certificate.public_key()
        if not isinstance(key, RSAPublicKey):
            raise ValueError("the certificate's key is not an RSA key")
        with warnings.catch_warnings():  # short example keys (the spec's own) still verify
            warnings.simplefilter("ignore")
            jwt.PyJWS().decode_complete(jws, key=key, algorithms=[algorithm])
    except (ValueError, binascii.Error, jwt.PyJWTError) as error:
        raise StatementInvalid(
            f"the signature does not verify against its x5c certificate: {error}", where
        ) from error


def _b64url(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
