"""An agency's Bitstring Status List (W3C, purpose ``revocation``), pure.

Each credential gets one bit; a set bit means revoked (a lapse or an admin's
revocation). The list is 131,072 bits (16 KiB), the spec's minimum for herd privacy,
and indexes are handed out in a scrambled order (an odd multiplier modulo 2^17 is a
bijection), so neighbouring indexes say nothing about issue order.
"""

from __future__ import annotations

import base64
import gzip
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from services.certification.domain.achievement_credential import VC_CONTEXT

LIST_BITS = 131_072
_STRIDE = 48_271  # odd, so ``n * _STRIDE mod LIST_BITS`` visits every index once


class StatusListFullError(ValueError):
    """An agency issued more credentials than one list holds."""


def status_index(issued_before: int) -> int:
    """The index of the agency's ``issued_before``-th credential (0-based)."""
    if issued_before >= LIST_BITS:
        raise StatusListFullError(f"the status list holds {LIST_BITS} credentials")
    return (issued_before * _STRIDE + 7) % LIST_BITS


def encode_bits(revoked: Iterable[int]) -> str:
    """Multibase base64url (``u``) of the GZIP-compressed bitstring; bit 0 = leftmost."""
    bits = bytearray(LIST_BITS // 8)
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode().rstrip("=")


def bit_is_set(encoded: str, index: int) -> bool:
    """Whether bit ``index`` of an ``encodedList`` is set (what a verifier checks)."""
    if not encoded.startswith("u"):
        raise ValueError("encodedList must be multibase base64url (a leading 'u')")
    body = encoded[1:]
    raw = gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    if index >= len(raw) * 8:
        raise ValueError(f"status index {index} lies beyond the list's {len(raw) * 8} bits")
    return bool(raw[index // 8] & (0x80 >> (index % 8)))


def status_list_credential(
    list_url: str, issuer_did: str, revoked: Iterable[int], issued_at: datetime
) -> dict[str, Any]:
    """The ``BitstringStatusListCredential`` the agency signs and serves at ``list_url``."""
    return {
        "@context": [VC_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did,
        "validFrom": issued_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_bits(revoked),
        },
    }
