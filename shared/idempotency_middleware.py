"""The `Idempotency-Key` request header on every POST (IETF httpapi idempotency-key draft).

- the same key with the same body → the first answer again (its status, body,
  `Content-Type` and `Location`), marked `Idempotent-Replayed: true`;
- the same key with another body → 422; while the first request still runs → 409;
- a key is scoped to the caller's agency, principal and route, so two agencies (or two
  users) choosing the same key never meet;
- an answer that shows a secret once (an LMS credential's) is never kept: a retry gets
  a 409 saying the create succeeded and where to look;
- a key is remembered for 24 h (`idempotency_key_ttl_hours`); only successes are
  remembered: after an error answer the same key may be sent again and runs again;
- without the header a request works as before (a body `id` still makes a create
  idempotent).

Requests without valid credentials pass through untouched (the route answers 401), as
do paths that parse their own bodies (the xAPI LRS).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import structlog
from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.auth import Principal, TokenVerifier
from shared.database import is_unavailable
from shared.idempotency_keys import (
    KeyedRequest,
    KeyScope,
    Outcome,
    claim,
    hold,
    let_go,
    release,
    remember_answer,
)
from shared.problems import Problem, problem_response
from shared.request_guard import read_body, replayed

log = structlog.get_logger(__name__)

HEADER = b"idempotency-key"
MAX_KEY_CHARS = 255
_KEPT_HEADERS = (b"content-type", b"location")

OPENAPI_PARAMETER: dict[str, Any] = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "A unique key (e.g. a UUID) for this create, so it can be retried safely: the "
        "same key with the same body answers the first answer again (marked "
        "`Idempotent-Replayed: true`); the same key with another body is 422, and 409 "
        "while the first request is still running. Scoped to your agency, principal and "
        "route; remembered for 24 hours; only successful answers are remembered."
    ),
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_KEY_CHARS,
        "pattern": "^[!#-\\[\\]-~]+$",  # printable ASCII but '"' and '\\'
    },
    "example": "8e03978e-40d5-43e8-bc93-6894a57f9324",
}


def key_from_header(raw: bytes) -> str:
    """The key of an `Idempotency-Key` header (a structured-field string or a bare token)."""
    try:
        text = raw.decode("ascii").strip()
    except UnicodeDecodeError as error:
        raise ValueError("the Idempotency-Key must be printable ASCII") from error
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    if not 1 <= len(text) <= MAX_KEY_CHARS:
        raise ValueError(f"the Idempotency-Key must be 1 to {MAX_KEY_CHARS} characters")
    if any(not 0x21 <= ord(c) <= 0x7E or c in '"\\' for c in text):
        raise ValueError(
            "the Idempotency-Key must be printable ASCII without spaces, quotes or "
            'backslashes (e.g. a UUID, optionally in double quotes: "8e03978e-…")'
        )
    return text


def body_fingerprint(body: bytes) -> str:
    """The same JSON content in any key order or spacing gives the same fingerprint."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"))
        data = canonical.encode()
    except ValueError:
        data = body
    return hashlib.sha256(data).hexdigest()


class IdempotencyKeys:
    """ASGI middleware; sits inside the body guard, so the body is already checked JSON."""

    def __init__(self, app: ASGIApp, owner: FastAPI, exempt_prefixes: Sequence[str] = ()) -> None:
        self.app = app
        self.owner = owner
        self.exempt_prefixes = tuple(exempt_prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":  # a read: no header scan
            await self.app(scope, receive, send)
            return
        raw_key = _header(scope, HEADER)
        path: str = scope.get("path", "")
        if raw_key is None or path.startswith(self.exempt_prefixes):
            await self.app(scope, receive, send)
            return
        try:
            key = key_from_header(raw_key)
        except ValueError as error:
            response = problem_response(
                400, "Invalid Idempotency-Key", str(error), slug="invalid-idempotency-key"
            )
            await response(scope, receive, send)
            return
        principal = await self._principal(scope)
        if principal is None:  # not signed in: the route answers 401
            await self.app(scope, receive, send)
            return
        body = await read_body(receive)
        key_scope = KeyScope(principal.agency_id, principal.subject, f"POST {path}", key)
        await self._serve_keyed(scope, send, key_scope, body)

    async def _serve_keyed(
        self, scope: Scope, send: Send, key_scope: KeyScope, body: bytes
    ) -> None:
        settings = self.owner.state.settings
        pool = self.owner.state.runtime.pool
        replay_body = replayed(body)
        try:
            taken = await claim(
                pool,
                key_scope,
                body_fingerprint(body),
                ttl=timedelta(hours=settings.idempotency_key_ttl_hours),
                lease=timedelta(seconds=settings.idempotency_lease_seconds),
            )
        except Exception as error:
            if not is_unavailable(error):
                raise
            await problem_response(
                503,
                "Service unavailable",
                "the database could not be reached to check the Idempotency-Key; retry in "
                "a moment with the same key",
                slug="database-unavailable",
                headers={"Retry-After": "1"},
            )(scope, replay_body, send)
            return
        if taken.outcome is Outcome.OTHER_BODY:
            await problem_response(
                422,
                "Idempotency-Key reused",
                f"the Idempotency-Key {key_scope.key!r} was already used on "
                f"{key_scope.route} with a different body; send exactly the first body to "
                "repeat that request, or use a new key for a new one",
                slug="idempotency-key-reused",
            )(scope, replay_body, send)
            return
        if taken.outcome is Outcome.IN_FLIGHT:
            await problem_response(
                409,
                "Request in flight",
                f"a request with the Idempotency-Key {key_scope.key!r} is still being "
                "processed; retry in a moment to get its answer",
                slug="idempotency-key-in-flight",
                headers={"Retry-After": "1"},
            )(scope, replay_body, send)
            return
        if taken.outcome is Outcome.REPLAY:
            await _send_stored(send, taken.status, taken.headers, taken.body)
            return
        await self._run_and_remember(scope, send, key_scope, replay_body)

    async def _run_and_remember(
        self, scope: Scope, send: Send, key_scope: KeyScope, receive: Receive
    ) -> None:
        pool = self.owner.state.runtime.pool
        answer: dict[str, Any] = {"status": 500, "headers": {}, "body": bytearray()}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                answer["headers"] = {
                    k.decode("latin-1"): v.decode("latin-1")
                    for k, v in message.get("headers", [])
                    if k.lower() in _KEPT_HEADERS
                }
            elif message["type"] == "http.response.body":
                answer["body"] += message.get("body", b"")
            await send(message)

        keyed = KeyedRequest(key_scope)
        token = hold(keyed)
        try:
            await self.app(scope, receive, capture)
        finally:
            release(token)
            status = int(answer["status"])
            try:
                if 200 <= status < 300 and keyed.withheld is not None:
                    await remember_answer(pool, key_scope, *_withheld_answer(keyed.withheld))
                elif 200 <= status < 300:
                    await remember_answer(
                        pool, key_scope, status, answer["headers"], bytes(answer["body"])
                    )
                else:
                    await let_go(pool, key_scope)
            except Exception as error:  # the lease runs out; a retry runs again
                log.warning("idempotency_key_not_kept", route=key_scope.route, error=repr(error))

    async def _principal(self, scope: Scope) -> Principal | None:
        authorization = (_header(scope, b"authorization") or b"").decode("latin-1")
        kind, _, token = authorization.partition(" ")
        if kind.lower() != "bearer" or not token.strip():
            return None
        verifier: TokenVerifier = self.owner.state.token_verifier
        try:
            return await verifier.verify(token.strip())
        except Problem:
            return None


def _withheld_answer(what: str) -> tuple[int, dict[str, str], bytes]:
    """What a retry of a create whose answer showed a secret once gets instead (409)."""
    problem = problem_response(
        409,
        "Already done",
        f"the request with this Idempotency-Key succeeded and {what}; its answer showed a "
        "secret once, which is never kept, so it cannot be sent again",
        slug="idempotency-key-secret-withheld",
    )
    return 409, {"content-type": "application/problem+json"}, bytes(problem.body)


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers") or []:
        if key.lower() == name:
            return bytes(value)
    return None


async def _send_stored(send: Send, status: int, headers: dict[str, str], body: bytes) -> None:
    raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    raw += [
        (b"content-length", str(len(body)).encode()),
        (b"idempotent-replayed", b"true"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body, "more_body": False})


def document_idempotency_key(app: FastAPI, exempt_prefixes: Sequence[str] = ()) -> None:
    """Add the header, as one shared parameter, to every POST of the app's OpenAPI."""
    build = app.openapi
    exempt = tuple(exempt_prefixes)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        components = schema.setdefault("components", {})
        components.setdefault("parameters", {})["IdempotencyKey"] = OPENAPI_PARAMETER
        reference = {"$ref": "#/components/parameters/IdempotencyKey"}
        for path, item in schema.get("paths", {}).items():
            operation = item.get("post")
            if operation is None or path.startswith(exempt):
                continue
            parameters = operation.setdefault("parameters", [])
            if reference not in parameters:
                parameters.append(reference)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
