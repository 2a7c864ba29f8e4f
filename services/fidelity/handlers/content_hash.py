"""An observation's content hash, the very `fingerprint` a POST stores, written faster.

`fingerprint` encodes its parts with `json.dumps(sort_keys=True, separators=(",", ":"))`
(ASCII only, escapes as `\\uXXXX`); for an observation's ~50 rating pairs that cost an
imported line more than scoring a domain. pydantic-core writes the same text when no
string needs an escape: the same compact separators, and keys given already in sorted
order. Any text with a backslash (an escape written) or a byte outside printable ASCII
(which `json.dumps` would escape) is hashed by `fingerprint` itself; so is content
holding anything but text, whole numbers and nulls (floats may be written differently).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic_core import to_json

from shared.idempotency import fingerprint


def observation_content_hash(
    content: Mapping[str, Any], observer_id: str, pairs: Sequence[tuple[str, str]]
) -> str:
    """`fingerprint({**content, "observer_id": observer_id, "ratings": sorted(pairs)})`."""
    whole = {**content, "observer_id": observer_id, "ratings": sorted(pairs)}
    if all(value is None or type(value) in (str, int) for value in content.values()):
        text = to_json([{key: whole[key] for key in sorted(whole)}])
        if b"\\" not in text and _printable_ascii(text):
            return hashlib.sha256(text).hexdigest()
    return fingerprint(whole)


def _printable_ascii(text: bytes) -> bool:
    """Every byte from space to tilde (what `json.dumps` writes without an escape)."""
    return not text.translate(None, _PRINTABLE)


_PRINTABLE = bytes(range(0x20, 0x7F))
