"""HTTP Basic authentication of LMS-partner credentials (Communication §4.0).

The Basic user name is the credential's key, the password its secret. A request with
no, malformed, unknown, revoked or wrong credentials is a 401 with a Basic challenge;
nothing distinguishes those cases in the answer.
"""

from __future__ import annotations

import asyncio
import base64
import binascii

from ..adapters.credential_store import find_credential
from ..credentials import secret_matches
from .lrs import Lrs, LrsClient
from .protocol import XapiRequest

CHALLENGE = 'Basic realm="MiiWrap xAPI", charset="UTF-8"'


class NotAuthenticated(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


_REFUSED = "the credentials were refused; check the key and secret of your LMS credential"


async def authenticate(lrs: Lrs, request: XapiRequest) -> LrsClient:
    header = request.header("authorization")
    if not header:
        raise NotAuthenticated(
            "send HTTP Basic credentials: 'Authorization: Basic base64(key:secret)' with the "
            "key and secret of an LMS credential of your agency"
        )
    scheme, _, encoded = header.strip().partition(" ")
    if scheme.lower() != "basic":
        raise NotAuthenticated("the xAPI endpoint takes HTTP Basic credentials, not " + scheme)
    try:
        key, colon, secret = (
            base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
        )
    except (binascii.Error, UnicodeDecodeError) as error:
        raise NotAuthenticated("the Basic credentials are not base64 of 'key:secret'") from error
    if not colon:
        raise NotAuthenticated("the Basic credentials are not base64 of 'key:secret'")
    async with lrs.pool.acquire() as conn:
        credential = await find_credential(conn, key)
    if credential is None or not credential.active:
        raise NotAuthenticated(_REFUSED)
    if not lrs.verified.known(key, credential.secret, secret):
        # scrypt is slow on purpose: keep it off the event loop
        if not await asyncio.to_thread(secret_matches, secret, credential.secret):
            raise NotAuthenticated(_REFUSED)
        lrs.verified.remember(key, credential.secret, secret)
    return LrsClient(
        credential.key, credential.agency_id, credential.partner_name, credential.authority
    )
