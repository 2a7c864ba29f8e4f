"""A create's lean write (shared/lean_write.py) against its declared route, side by side.

The same asks are sent twice, in order, each side with its own ids and keys (the side's
tag in them): once as the edge answers them (the lean write where it can), once with the
app's dependency overrides set, where only the declared routes answer (as under a
test's overrides). Each answer must match its twin: status, headers and body, once the
tag, generated ids and clock times are masked. A count of the lean write's answers shows
each side went the way it should.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request, Response

from shared.auth import Principal
from shared.lean_write import LeanWrite
from shared.service import get_runtime

TAGS = ("zqa", "zqb")  # the lean side's, the declared side's
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)?")
_VOLATILE_HEADERS = frozenset({"date", "x-request-id", "content-length"})


@dataclass(frozen=True)
class Ask:
    """One POST: its body as sent (JSON, or raw bytes) and headers."""

    name: str
    headers: Mapping[str, str]
    body: Any = None
    raw: bytes | None = None
    answered_lean: bool = False  # the lean write runs the endpoint (it does not step aside)

    async def send(self, client: httpx.AsyncClient, path: str) -> httpx.Response:
        if self.raw is not None:
            return await client.post(path, content=self.raw, headers=dict(self.headers))
        content = json.dumps(self.body).encode()
        headers = {"Content-Type": "application/json", **self.headers}
        return await client.post(path, content=content, headers=headers)


@dataclass
class Creates:
    """What a service's create needs for the usual asks."""

    allowed: Mapping[str, str]  # the headers of a caller who may create
    forbidden: Mapping[str, str]  # of a caller of the agency whose role may not
    good: dict[str, Any]  # a valid body
    other: dict[str, Any]  # another valid body (a different record)
    invalid: dict[str, Any]  # name -> a body the route's model refuses (422)
    max_body_bytes: int
    extra: list[Ask] = field(default_factory=list)  # the service's own refusals


def usual_asks(tag: str, creates: Creates) -> list[Ask]:
    keyed = {**creates.allowed, "Idempotency-Key": f"key-{tag}-1"}
    json_type = {"Content-Type": "application/json"}
    oversized = b'{"padding": "' + b"x" * creates.max_body_bytes + b'"}'
    return [
        Ask("created under a key", keyed, creates.good, answered_lean=True),
        Ask("replayed under the key", keyed, creates.good),
        Ask("the key reused with another body", keyed, creates.other),
        Ask("created without a key", creates.allowed, creates.other, answered_lean=True),
        Ask("the same record again", creates.allowed, creates.other, answered_lean=True),
        *(Ask(f"invalid: {name}", creates.allowed, body) for name, body in creates.invalid.items()),
        Ask("a JSON array", creates.allowed, [creates.good]),
        Ask("JSON null", creates.allowed, None),
        Ask("malformed JSON", {**creates.allowed, **json_type}, raw=b'{"practitioner_id": '),
        Ask("no body", {**creates.allowed, **json_type}, raw=b""),
        Ask(
            "not JSON",
            {**creates.allowed, "Content-Type": "text/plain"},
            raw=json.dumps(creates.good).encode(),
        ),
        Ask("oversized", {**creates.allowed, **json_type}, raw=oversized),
        Ask("no token", {}, creates.good),
        Ask("a bad token", {"Authorization": "Bearer not-a-token"}, creates.good),
        Ask("a forbidden role", creates.forbidden, creates.good),
        *creates.extra,
    ]


def comparable(answer: httpx.Response, tag: str) -> tuple[int, list[tuple[str, str]], str]:
    def masked(text: str) -> str:
        return _TIME.sub("<time>", _UUID.sub("<uuid>", text.replace(tag, "<tag>")))

    headers = sorted(
        (name, masked(value))
        for name, value in answer.headers.multi_items()
        if name not in _VOLATILE_HEADERS
    )
    assert answer.headers.get("content-length") == str(len(answer.content))
    return answer.status_code, headers, masked(answer.text)


async def assert_lean_equals_declared(
    app: FastAPI,
    client: httpx.AsyncClient,
    path: str,
    asks_of: Callable[[str], Awaitable[list[Ask]]],
    monkeypatch: pytest.MonkeyPatch,
) -> list[int]:
    """Both sides' answers compared ask by ask (module docstring); the statuses."""
    answered: list[str] = []
    lean_call = LeanWrite.__call__

    async def counted(self: LeanWrite, request: Request, principal: Principal) -> Response | None:
        try:
            response = await lean_call(self, request, principal)
        except Exception:  # the endpoint's refusal, answered by the app's handlers
            answered.append(request.url.path)
            raise
        if response is not None:
            answered.append(request.url.path)
        return response

    monkeypatch.setattr(LeanWrite, "__call__", counted)
    sides: list[list[tuple[Ask, httpx.Response]]] = []
    for tag in TAGS:
        declared = tag == TAGS[1]
        asks = await asks_of(tag)  # set up before the overrides: only the asks compare
        if declared:
            app.dependency_overrides[get_runtime] = get_runtime
        went_lean: list[str] = []
        side = []
        try:
            for ask in asks:
                before = len(answered)
                side.append((ask, await ask.send(client, path)))
                if len(answered) > before:
                    went_lean.append(ask.name)
        finally:
            app.dependency_overrides.clear()
        expected = [] if declared else [ask.name for ask in asks if ask.answered_lean]
        assert went_lean == expected, (tag, went_lean, expected)
        sides.append(side)
    for (ask, lean), (_, declared_answer) in zip(*sides, strict=True):
        one, other = comparable(lean, TAGS[0]), comparable(declared_answer, TAGS[1])
        assert one == other, (ask.name, one, other)
    return [answer.status_code for _, answer in sides[0]]
