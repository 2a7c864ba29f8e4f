"""An xAPI request as the resources see it, whichever syntax the client used.

`read_xapi_request` turns an HTTP request into an `XapiRequest`: method, parameters,
headers and content. With the Alternate Request Syntax (Communication §1.3: a POST
with `?method=…` and a form body) the intended method comes from `method`, the header
parameters (Authorization, X-Experience-API-Version, Content-Type, Content-Length,
If-Match, If-None-Match) and `content` come from the form, and every other form
field is a query parameter — so each resource handles both syntaxes the same way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import parse_qsl

from starlette.requests import Request

from ..agents import validate_agent
from ..decoding import decode_json
from ..errors import RequestInvalid, StatementInvalid
from ..multipart import media_type
from ..structure import JsonObject, require_object

XAPI_VERSION = "1.0.3"
SUPPORTED_VERSIONS = ("1.0.3", "1.0.2", "1.0.1", "1.0.0")
_ACCEPTED_VERSION = re.compile(r"1\.0(?:\.[0-9]+)?")
_HEADER_PARAMETERS = frozenset(
    {
        "authorization",
        "x-experience-api-version",
        "content-type",
        "content-length",
        "if-match",
        "if-none-match",
    }
)
_ALTERNATE_METHODS = frozenset({"GET", "PUT", "POST", "DELETE"})


@dataclass(frozen=True)
class XapiRequest:
    method: str
    params: tuple[tuple[str, str], ...]
    headers: Mapping[str, str]  # lower-cased names
    body: bytes
    alternate_syntax: bool = False
    root_path: str = field(default="")

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def content_type(self) -> str:
        return self.header("content-type") or ""

    def param(self, name: str) -> str | None:
        return next((value for key, value in self.params if key == name), None)


async def read_xapi_request(request: Request) -> XapiRequest:
    body = await request.body()
    query = tuple(request.query_params.multi_items())
    headers = {name.lower(): value for name, value in request.headers.items()}
    root_path = str(request.scope.get("root_path", ""))
    if request.method == "POST" and any(name == "method" for name, _ in query):
        parsed = _alternate_syntax(query, headers, body, root_path)
    else:
        parsed = XapiRequest(request.method, query, headers, body, root_path=root_path)
    _refuse_nul(parsed)
    return parsed


def _refuse_nul(request: XapiRequest) -> None:
    # PostgreSQL text cannot hold NUL; no xAPI parameter or header needs it
    for name, value in [*request.params, *request.headers.items()]:
        if "\x00" in value or "\\u0000" in value:
            raise RequestInvalid(f"{name!r} must not contain the NUL character")


def _alternate_syntax(
    query: tuple[tuple[str, str], ...], headers: dict[str, str], body: bytes, root_path: str
) -> XapiRequest:
    if len(query) != 1:
        raise RequestInvalid(
            "with the Alternate Request Syntax the query string holds only 'method'; "
            "send every other parameter as a form field"
        )
    method = query[0][1]
    if method not in _ALTERNATE_METHODS:
        raise RequestInvalid(f"method {method!r} must be one of GET, PUT, POST, DELETE")
    if media_type(headers.get("content-type")) != "application/x-www-form-urlencoded":
        raise RequestInvalid(
            "a request with ?method= must have Content-Type application/x-www-form-urlencoded"
        )
    try:
        form = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError as error:
        raise RequestInvalid("the form body is not UTF-8") from error
    rewritten = {k: v for k, v in headers.items() if k not in ("content-type", "content-length")}
    params: list[tuple[str, str]] = []
    content = b""
    seen: set[str] = set()
    for name, value in form:
        key = name.lower() if name.lower() in _HEADER_PARAMETERS else name
        if key in seen and (key == "content" or key in _HEADER_PARAMETERS):
            raise RequestInvalid(f"form field {name!r} is given more than once")
        seen.add(key)
        if key == "content":
            content = value.encode("utf-8")
        elif key in _HEADER_PARAMETERS:
            rewritten[key] = value
        else:
            params.append((name, value))
    if content and "content-type" not in rewritten:
        rewritten["content-type"] = "application/json"
    return XapiRequest(method, tuple(params), rewritten, content, True, root_path)


def check_version(request: XapiRequest) -> None:
    """Every request but About's must carry a 1.0.x X-Experience-API-Version (§3.3)."""
    version = request.header("x-experience-api-version")
    if version is None:
        raise RequestInvalid(
            f"send the header X-Experience-API-Version: {XAPI_VERSION} (this LRS speaks 1.0.x)"
        )
    if _ACCEPTED_VERSION.fullmatch(version.strip()) is None:
        raise RequestInvalid(
            f"X-Experience-API-Version {version!r} is not supported; this LRS speaks "
            f"1.0.x (latest {XAPI_VERSION})"
        )


def check_parameters(
    request: XapiRequest, allowed: frozenset[str], required: frozenset[str] = frozenset()
) -> dict[str, str]:
    """The parameters as a dict: unknown, repeated or missing ones are a 400 (§3.2.s3)."""
    values: dict[str, str] = {}
    for name, value in request.params:
        if name not in allowed:
            same_but_case = next((a for a in sorted(allowed) if a.lower() == name.lower()), None)
            hint = (
                f"; parameter names are case sensitive: {same_but_case!r}" if same_but_case else ""
            )
            raise RequestInvalid(f"parameter {name!r} is not allowed here{hint}")
        if name in values:
            raise RequestInvalid(f"parameter {name!r} is given more than once")
        values[name] = value
    missing = sorted(required - values.keys())
    if missing:
        raise RequestInvalid(f"parameter {missing[0]!r} is required")
    return values


def agent_parameter(raw: str, name: str = "agent") -> JsonObject:
    """An Agent (not a Group) given as JSON in a parameter, validated like in a Statement."""
    try:
        value = decode_json(raw)
    except StatementInvalid as error:
        raise RequestInvalid(f"parameter {name}: {error.detail}") from error
    return checked_agent(value, name)


def checked_agent(value: object, name: str) -> JsonObject:
    """`value` if it is a valid Agent (not a Group); else `RequestInvalid` naming `name`."""
    try:
        agent = require_object(value, name, "an Agent")
        if agent.get("objectType", "Agent") != "Agent":
            raise StatementInvalid("must be an Agent, not a Group", name)
        validate_agent(agent, name)
    except StatementInvalid as error:
        raise RequestInvalid(str(error)) from error
    return agent


def http_date(moment: datetime) -> str:
    """An HTTP-date (Last-Modified) for a timestamp."""
    return format_datetime(moment.astimezone(UTC), usegmt=True)
