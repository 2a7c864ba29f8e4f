"""The public verification page: anyone checks a MiiWrap credential, no sign-in.

The page asks certification's public `POST /credentials/verify` and shows each check
(issuer, signature, status, validity) in words. A plain form works without scripts.
"""

from __future__ import annotations

import hmac
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from services.portal.domain.credential_check import (
    MAX_UPLOAD_BYTES,
    NothingToCheckError,
    verification_body,
)
from services.portal.entrypoints.web import CSRF_FIELD, CsrfRefused, render, settings_of

router = APIRouter(tags=["verify"])


@router.get("/verify")
async def verify_page(request: Request) -> Response:
    return render(request, "verify.html", {"errors": {}, "result": None, "pasted": ""})


@router.post("/verify")
async def verify_credential(request: Request) -> Response:
    form = await request.form(max_files=1, max_fields=4)
    sent, expected = form.get(CSRF_FIELD), request.session.get(CSRF_FIELD)
    if not isinstance(sent, str) or not isinstance(expected, str):
        raise CsrfRefused
    if not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfRefused
    pasted = form.get("credential")
    pasted = pasted if isinstance(pasted, str) else ""
    upload = form.get("badge")
    uploaded = await upload.read(MAX_UPLOAD_BYTES + 1) if isinstance(upload, UploadFile) else None
    errors: dict[str, str] = {}
    result: dict[str, Any] | None = None
    try:
        body = verification_body(pasted, uploaded)
        result = await _ask_certification(request, body)
    except NothingToCheckError as error:
        errors["credential"] = str(error)
    except _Refused as refused:
        errors["credential"] = str(refused)
    context = {"errors": errors, "result": result, "pasted": pasted}
    return render(request, "verify.html", context, status_code=422 if errors else 200)


class _Refused(Exception):
    """Certification could not read what was sent (its problem detail)."""


async def _ask_certification(request: Request, body: dict[str, Any]) -> dict[str, Any]:
    http: httpx.AsyncClient = request.app.state.http
    url = f"{settings_of(request).certification_url.rstrip('/')}/credentials/verify"
    try:
        response = await http.post(url, json=body)
    except httpx.HTTPError:
        raise _Refused("The certification service cannot be reached; try again shortly") from None
    if response.status_code != 200:
        detail = response.json().get("detail") if response.content else None
        if response.status_code == 422:
            raise _Refused(f"This is not a credential that can be checked: {detail}")
        raise _Refused(f"Credentials cannot be checked here just now: {detail}")
    answer: dict[str, Any] = response.json()
    return answer
