"""What the public verification page sends to certification's `POST /credentials/verify`.

A visitor pastes a credential (its JWT, or the JSON a holder downloaded) or uploads a
file (a PNG badge with the credential baked in, or that JSON). Pure: the page's input in,
the request body or a sentence saying what to fix out.
"""

from __future__ import annotations

import base64
import json
from typing import Any

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_UPLOAD_BYTES = 1_000_000


class NothingToCheckError(ValueError):
    """The visitor sent nothing usable; the message says what to send."""


def verification_body(pasted: str, uploaded: bytes | None) -> dict[str, Any]:
    if uploaded:
        if len(uploaded) > MAX_UPLOAD_BYTES:
            raise NothingToCheckError("The file is larger than 1 MB: upload the badge image")
        if uploaded.startswith(PNG_SIGNATURE):
            return {"image": base64.b64encode(uploaded).decode()}
        try:
            pasted = uploaded.decode("utf-8")
        except UnicodeDecodeError:
            raise NothingToCheckError(
                "The file is neither a PNG badge nor a credential file (JSON or JWT)"
            ) from None
    text = pasted.strip()
    if not text:
        raise NothingToCheckError("Paste a credential or upload a badge image")
    if text.startswith("{"):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            raise NothingToCheckError("The credential looks like JSON but does not parse") from None
        return {"credential": parsed}
    return {"credential": text}
