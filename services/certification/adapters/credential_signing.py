"""VC-JOSE: a credential secured as a compact JWS (EdDSA over Ed25519) with PyJWT.

The JWT claims set is the credential itself (VCDM 2.0, ``typ: vc+jwt``), plus the
registered claims older VC-JWT verifiers read (``iss``, ``jti``, ``nbf``, ``exp``),
kept consistent with ``issuer``, ``id``, ``validFrom`` and ``validUntil``. The header's
``kid`` is the full verification method id (``did:web:…#key-…``), as in the DID
document and the JWKS.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import jwt

from services.certification.adapters.credential_keys import SigningKey

MEDIA_TYPE = "vc+jwt"


def _epoch(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp())


def sign_credential(credential: dict[str, Any], key: SigningKey, issuer_did: str) -> str:
    claims = dict(credential)
    claims["iss"] = issuer_did
    if "id" in credential:
        claims["jti"] = credential["id"]
    claims["nbf"] = _epoch(credential["validFrom"])
    if "validUntil" in credential:
        claims["exp"] = _epoch(credential["validUntil"])
    return jwt.encode(
        claims,
        key.private_key,
        algorithm="EdDSA",
        headers={"kid": f"{issuer_did}#{key.kid}", "typ": MEDIA_TYPE},
    )


def unverified_parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims of a compact JWS, not yet verified (ValueError if malformed)."""
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as error:
        raise ValueError(str(error)) from error
    return header, claims


def verify_signature(token: str, public_jwk: dict[str, Any]) -> bool:
    key = jwt.PyJWK({**public_jwk, "alg": "EdDSA"})
    try:
        jwt.decode(
            token,
            key,
            algorithms=["EdDSA"],
            options={"verify_exp": False, "verify_nbf": False, "verify_aud": False},
        )
    except jwt.PyJWTError:
        return False
    return True
