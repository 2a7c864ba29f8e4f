"""Request bodies are checked before any route sees them.

- larger than the limit → 413 (also when sent chunked, without Content-Length); a path
  prefix may have a limit of its own (bulk imports take more than one record);
- a body that is not JSON on a JSON API → 415;
- malformed JSON, a key given twice, NaN/Infinity, or nesting deeper than the limit → 400
  (never a RecursionError);
- a NUL or an unpaired surrogate in a JSON string, or %00 in the path or query → 422
  (PostgreSQL cannot store them).

Paths under an exempt prefix (the xAPI LRS, which takes multipart/mixed and documents of
any type, and answers bad requests with the spec's own 400) get only the size limit;
they parse their own bodies and parameters, with `parse_strict_json` too.

The kernel's `RequestEdge` (shared/request_edge.py) sends a POST, PUT or PATCH through
`RequestBodyGuard`; any other request only through `refused_target`'s check of its path.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.problems import problem_response

BODY_METHODS = {"POST", "PUT", "PATCH"}
DEFAULT_MAX_DEPTH = 64


class MalformedJson(ValueError):
    """Not JSON, or JSON whose meaning is lost in parsing (duplicate keys, NaN): 400."""


class UnstorableValue(ValueError):
    """Well-formed JSON holding a string no database column can hold: 422."""


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)  # built in C; a key given twice makes it shorter than the pairs
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise MalformedJson(f"the key {key!r} appears more than once in one object")
            seen.add(key)
    return result


def _no_constants(name: str) -> Any:
    raise MalformedJson(f"{name} is not valid JSON; send numbers only")


# one decoder for every parse: `json.loads` with hooks builds a decoder and its scanner on
# each call, which cost more than parsing a cursor (a board page's) or a small body
_STRICT_DECODER = json.JSONDecoder(
    object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants
)


def _strict_loads(body: bytes | str) -> Any:
    """`json.loads(body, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants)`
    on the module's one decoder: the same text read from bytes, the same errors."""
    if isinstance(body, str):
        if body.startswith("\ufeff"):
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", body, 0)
        return _STRICT_DECODER.decode(body)
    return _STRICT_DECODER.decode(body.decode(json.detect_encoding(body), "surrogatepass"))


def parse_strict_json(
    body: bytes | str,
    *,
    max_depth: int = DEFAULT_MAX_DEPTH,
    what: str = "body",
    refuse_nul: bool = True,
) -> Any:
    """Parse JSON refusing duplicate keys and NaN/Infinity (both silently lossy otherwise),
    nesting deeper than `max_depth` (a RecursionError anywhere later otherwise), and
    strings PostgreSQL cannot store (NUL) or UTF-8 cannot encode (lone surrogates).

    The one JSON parser of request input: bodies, and the JSON inside cursors."""
    try:
        value = _strict_loads(body)
    except MalformedJson:
        raise
    except RecursionError as error:
        raise MalformedJson(
            f"the {what} is nested too deeply; at most {max_depth} levels are accepted"
        ) from error
    except (ValueError, UnicodeDecodeError) as error:
        raise MalformedJson(f"the {what} is not valid JSON: {error}") from error
    if not _plainly_acceptable(body, value, max_depth, refuse_nul):
        _check_parsed(value, what, max_depth, refuse_nul)  # finds the problem and names it
    return value


def _may_escape_unstorable(body: bytes | str) -> bool:
    """Whether a string of the parsed value can hold a NUL or a lone surrogate.

    JSON refuses raw control characters in strings, and strict UTF-8 decoding refuses
    encoded surrogates (bytes are decoded with `surrogatepass`, so only in ASCII text),
    so in ASCII text both can only come from a `\\u` escape: without one, no string
    needs looking at (the usual body)."""
    return not body.isascii() or ("\\u" in body if isinstance(body, str) else b"\\u" in body)


def _plainly_acceptable(body: bytes | str, value: Any, max_depth: int, refuse_nul: bool) -> bool:
    """The checks of `_check_parsed` without building a path per value: the fast answer
    for the usual body; False sends it to `_check_parsed` for the exact message."""
    if _may_escape_unstorable(body) and not _all_storable(value, refuse_nul):
        return False
    if isinstance(body, str):
        brackets = body.count("[") + body.count("{")
    else:
        brackets = body.count(b"[") + body.count(b"{")
    if brackets <= max_depth:  # no deeper than the brackets in the text, strings' too
        return True
    pending: list[tuple[Any, int]] = [(value, 0)] if isinstance(value, dict | list) else []
    while pending:
        item, depth = pending.pop()
        if depth >= max_depth:
            return False
        for inner in item.values() if isinstance(item, dict) else item:
            if isinstance(inner, dict | list):
                pending.append((inner, depth + 1))
    return True


def _all_storable(value: Any, refuse_nul: bool) -> bool:
    pending: list[Any] = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if not _storable(item, refuse_nul):
                return False
        elif isinstance(item, dict):
            if not all(_storable(key, refuse_nul) for key in item):
                return False
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return True


def _storable(value: str, refuse_nul: bool) -> bool:
    if refuse_nul and "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_parsed(value: Any, root: str, max_depth: int, refuse_nul: bool = True) -> None:
    # iterative, so a deep value cannot exhaust the stack here either
    pending: list[tuple[Any, str, int]] = [(value, root, 0)]
    while pending:
        item, path, depth = pending.pop()
        if isinstance(item, str):
            _refuse_unstorable_string(item, path, refuse_nul)
        elif isinstance(item, dict | list):
            if depth >= max_depth:
                raise MalformedJson(
                    f"the {root} is nested too deeply; at most {max_depth} levels are accepted"
                )
            if isinstance(item, dict):
                for key, inner in item.items():
                    _refuse_unstorable_string(key, f"{path} key", refuse_nul)
                    pending.append((inner, f"{path}.{key}", depth + 1))
            else:
                pending.extend((inner, f"{path}[{i}]", depth + 1) for i, inner in enumerate(item))


def _refuse_unstorable_string(value: str, path: str, refuse_nul: bool = True) -> None:
    if refuse_nul and "\x00" in value:
        raise UnstorableValue(f"{path} contains a NUL character (\\u0000); remove it")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise UnstorableValue(
            f"{path} contains an unpaired UTF-16 surrogate; send valid Unicode text"
        ) from error


def is_json_media_type(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def refused_target(scope: Scope) -> JSONResponse | None:
    """The 422 of a request whose path or query holds a NUL (PostgreSQL cannot store one),
    else None."""
    raw_path: bytes = scope.get("raw_path", b"")
    query: bytes = scope.get("query_string", b"")
    if b"%00" in raw_path or b"\x00" in raw_path or b"%00" in query or b"\x00" in query:
        return problem_response(
            422,
            "Invalid request",
            "the path or query contains a NUL character (%00); remove it",
            slug="invalid-request",
            instance=scope.get("path"),
        )
    return None


class RequestBodyGuard:
    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        exempt_prefixes: Sequence[str] = (),
        max_depth: int = DEFAULT_MAX_DEPTH,
        limits: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        # path prefix -> its own size limit (bulk imports take more than one record)
        self.limits = dict(limits or {})
        self.max_depth = max_depth
        self.exempt_prefixes = tuple(exempt_prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        exempt = path.startswith(self.exempt_prefixes)
        refused = None if exempt else refused_target(scope)
        if refused is not None:
            await refused(scope, receive, send)
            return
        if scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        limit = self._limit_for(path)
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await self._too_large(scope, receive, send, int(declared), limit)
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > limit:
                await self._too_large(scope, receive, send, len(body), limit)
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
                parse_strict_json(bytes(body), max_depth=self.max_depth)
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
        await self.app(scope, replayed(bytes(body)), send)

    def _limit_for(self, path: str) -> int:
        for prefix, limit in self.limits.items():
            if path == prefix or path.startswith(prefix + "/"):
                return limit
        return self.max_bytes

    async def _too_large(
        self, scope: Scope, receive: Receive, send: Send, size: int, limit: int
    ) -> None:
        response = problem_response(
            413,
            "Request body too large",
            f"the body is at least {size} bytes; the limit is {limit} bytes",
            slug="payload-too-large",
            instance=scope.get("path"),
        )
        await response(scope, receive, send)


async def read_body(receive: Receive) -> bytes:
    """The whole body `receive` gives (empty where the client went away first)."""
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return bytes(body)
        body += message.get("body", b"")
        if not message.get("more_body", False):
            return bytes(body)


def replayed(body: bytes) -> Receive:
    """A `receive` giving `body` (already read and checked) once, then a disconnect."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive
