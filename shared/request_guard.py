"""Request bodies are checked before any route sees them.

- larger than the limit → 413 (also when sent chunked, without Content-Length);
- a body that is not JSON on a JSON API → 415;
- malformed JSON, a key given twice, or NaN/Infinity → 400;
- a NUL or an unpaired surrogate in a JSON string, or %00 in the path or query → 422
  (PostgreSQL cannot store them).

Paths under an exempt prefix (the xAPI LRS, which takes multipart/mixed and documents of
any type, and answers bad requests with the spec's own 400) get only the size limit;
they parse their own bodies and parameters.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.problems import problem_response

BODY_METHODS = {"POST", "PUT", "PATCH"}


class MalformedJson(ValueError):
    """Not JSON, or JSON whose meaning is lost in parsing (duplicate keys, NaN): 400."""


class UnstorableValue(ValueError):
    """Well-formed JSON holding a string no database column can hold: 422."""


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise MalformedJson(f"the key {key!r} appears twice in one object")
        result[key] = value
    return result


def _no_constants(name: str) -> Any:
    raise MalformedJson(f"{name} is not valid JSON; send numbers only")


def parse_strict_json(body: bytes) -> Any:
    """Parse JSON refusing duplicate keys and NaN/Infinity (both silently lossy otherwise),
    and strings PostgreSQL cannot store (NUL) or UTF-8 cannot encode (lone surrogates)."""
    try:
        value = json.loads(body, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants)
    except MalformedJson:
        raise
    except (ValueError, UnicodeDecodeError) as error:
        raise MalformedJson(f"the body is not valid JSON: {error}") from error
    _refuse_unstorable_strings(value, "body")
    return value


def _refuse_unstorable_strings(value: Any, path: str) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise UnstorableValue(f"{path} contains a NUL character (\\u0000); remove it")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:
            raise UnstorableValue(
                f"{path} contains an unpaired UTF-16 surrogate; send valid Unicode text"
            ) from error
    elif isinstance(value, dict):
        for key, inner in value.items():
            _refuse_unstorable_strings(key, f"{path} key")
            _refuse_unstorable_strings(inner, f"{path}.{key}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            _refuse_unstorable_strings(inner, f"{path}[{index}]")


def is_json_media_type(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


class RequestBodyGuard:
    def __init__(self, app: ASGIApp, max_bytes: int, exempt_prefixes: Sequence[str] = ()) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.exempt_prefixes = tuple(exempt_prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        exempt = path.startswith(self.exempt_prefixes)
        raw_target = scope.get("raw_path", b"") + b"?" + scope.get("query_string", b"")
        if not exempt and (b"%00" in raw_target or b"\x00" in raw_target):
            response = problem_response(
                422,
                "Invalid request",
                "the path or query contains a NUL character (%00); remove it",
                slug="invalid-request",
                instance=scope.get("path"),
            )
            await response(scope, receive, send)
            return
        if scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(scope, receive, send, int(declared))
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_bytes:
                await self._too_large(scope, receive, send, len(body))
                return
        if body and not exempt:
            content_type = headers.get(b"content-type", b"").decode("latin-1")
            if not is_json_media_type(content_type):
                response = problem_response(
                    415,
                    "Unsupported media type",
                    f"send the body as JSON with 'Content-Type: application/json' "
                    f"(got {content_type or 'no Content-Type'})",
                    slug="unsupported-media-type",
                    instance=path,
                )
                await response(scope, receive, send)
                return
            try:
                parse_strict_json(bytes(body))
            except MalformedJson as error:
                response = problem_response(
                    400, "Malformed JSON", str(error), slug="malformed-json", instance=path
                )
                await response(scope, receive, send)
                return
            except UnstorableValue as error:
                response = problem_response(
                    422, "Invalid request", str(error), slug="invalid-request", instance=path
                )
                await response(scope, receive, send)
                return
        await self.app(scope, _replay(bytes(body)), send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send, size: int) -> None:
        response = problem_response(
            413,
            "Request body too large",
            f"the body is at least {size} bytes; the limit is {self.max_bytes} bytes",
            slug="payload-too-large",
            instance=scope.get("path"),
        )
        await response(scope, receive, send)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive
