"""The kernel's defences: secrets never rendered, names that cannot collide, strict tokens,
production settings that refuse weak ones, the request id and the edge headers."""

from __future__ import annotations

import asyncio
import base64
import importlib
import json
import logging
import stat
import statistics
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import httpx
import jwt
import pytest
from fastapi import APIRouter
from pydantic import SecretStr
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from shared.auth import Principal, Role, TokenVerifier, allow, issue_token
from shared.config import event_subject
from shared.identifiers import normalise_identifier
from shared.naming import stream_id, stream_parts, subject_token
from shared.pagination import encode_cursor
from shared.service import RuntimeDep, ServiceDefinition, create_app
from shared.testing.apps import bearer, running
from tests.kernel.probe import ProbeSettings

JWT_SECRET = "jwt-secret-" + uuid.uuid4().hex
NATS_PASSWORD = "nats-password-" + uuid.uuid4().hex
DB_PASSWORD = "db-password-" + uuid.uuid4().hex
SECRETS = (JWT_SECRET, NATS_PASSWORD, DB_PASSWORD)

router = APIRouter()


@router.get("/fault")
async def fault(principal: Annotated[Principal, allow("fault")], runtime: RuntimeDep) -> None:
    """A test-only route that fails with every secret in its local variables."""
    settings = runtime.settings.model_copy(
        update={
            "nats_password": SecretStr(NATS_PASSWORD),
            "database_url": SecretStr(f"postgresql://miiwrap:{DB_PASSWORD}@db.internal/miiwrap"),
        }
    )
    dsn = settings.database_url
    raise RuntimeError(f"forced failure while connecting with {settings!r} to {dsn}")


def probe_app(settings: ProbeSettings) -> Any:
    return create_app(
        ServiceDefinition(
            settings=settings,
            title="probe",
            description="probe",
            routers=[router],
            permissions={"fault": frozenset({Role.ADMIN})},
        )
    )


@pytest.mark.parametrize("log_format", ["console", "json"])
async def test_no_secret_appears_in_any_log_output_after_a_forced_500(
    settings_for: Callable[..., Any],
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    log_format: str,
) -> None:
    settings: ProbeSettings = settings_for(
        ProbeSettings, jwt_secret=SecretStr(JWT_SECRET), log_format=log_format
    )
    caplog.set_level(logging.DEBUG)
    app = probe_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            # as a server does: the app's error is answered (500) and logged, not raised here
            transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
            base_url="http://testserver",
        ) as http,
    ):
        response = await http.get(
            "/fault",
            headers=bearer(settings, "agency-a", "admin") | {"X-Request-ID": "fault-req-1"},
        )
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-request-id"] == "fault-req-1"
    captured = capfd.readouterr()
    output = captured.out + captured.err + caplog.text
    assert "unhandled_error" in output and "forced failure" in output  # it was logged
    assert "fault-req-1" in output  # with the request's id
    for secret in SECRETS:
        assert secret not in output
        assert secret not in response.text
    if log_format == "json":
        lines = [line for line in captured.err.splitlines() if line.startswith("{")]
        assert lines and all(json.loads(line) for line in lines)
        [failure] = [json.loads(x) for x in lines if "unhandled_error" in x]
        assert failure["request_id"] == "fault-req-1"
        assert "locals" not in json.dumps(failure["exception"])


def test_settings_never_render_their_secrets() -> None:
    settings = ProbeSettings(
        jwt_secret=SecretStr(JWT_SECRET),
        nats_password=SecretStr(NATS_PASSWORD),
        database_url=SecretStr(f"postgresql://u:{DB_PASSWORD}@h/db"),
    )
    for rendering in (repr(settings), str(settings), settings.model_dump_json()):
        for secret in SECRETS:
            assert secret not in rendering
    assert settings.database_location == "postgresql://u:***@h/db"
    assert DB_PASSWORD in settings.database_dsn  # only the driver gets it


async def test_a_request_id_is_made_returned_and_written_into_the_events(
    settings_for: Callable[..., Any],
) -> None:
    from shared.logs import current_request_id

    settings: ProbeSettings = settings_for(ProbeSettings)
    async with running(probe_app(settings)) as http:
        made = await http.get("/healthz")
        kept = await http.get("/healthz", headers={"X-Request-ID": "abc-123"})
        refused = await http.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    assert len(made.headers["x-request-id"]) == 32
    assert kept.headers["x-request-id"] == "abc-123"
    assert refused.headers["x-request-id"] != "bad id\twith spaces"
    assert current_request_id() is None  # unbound after the request


async def test_answers_carry_nosniff_no_store_and_no_server_banner(
    settings_for: Callable[..., Any],
) -> None:
    settings: ProbeSettings = settings_for(ProbeSettings, max_header_bytes=4096)
    async with running(probe_app(settings)) as http:
        public = await http.get("/healthz")
        authenticated = await http.get("/fault", headers=bearer(settings, "agency-a", "coach"))
        huge = await http.get("/healthz", headers={"Authorization": "Bearer " + "x" * 8000})
    assert public.headers["x-content-type-options"] == "nosniff"
    assert "server" not in public.headers
    assert authenticated.status_code == 403
    assert authenticated.headers["cache-control"] == "no-store"
    assert huge.status_code == 431
    assert huge.headers["content-type"] == "application/problem+json"


async def test_healthz_answers_within_100_ms_while_bad_requests_are_refused(
    settings_for: Callable[..., Any],
) -> None:
    """The error paths do no blocking work (no locals rendered, no deep recursion)."""
    settings: ProbeSettings = settings_for(ProbeSettings)
    deep = ("[" * 5000 + "]" * 5000).encode()
    crafted = [encode_cursor(c) for c in (["x"], [None], [{"a": 1}], [[[[1]]]])]
    crafted.append("WzFlOTk5XQ==")  # [1e999]
    async with running(probe_app(settings)) as http:
        headers = bearer(settings, "agency-a", "admin") | {"content-type": "application/json"}

        async def hostile() -> None:
            for round_ in range(20):
                await http.post("/fault", content=deep, headers=headers)
                await http.get("/fault", params={"cursor": crafted[round_ % len(crafted)]})

        async def probe() -> list[float]:
            waited = []
            for _ in range(15):
                started = time.perf_counter()
                assert (await http.get("/healthz")).status_code == 200
                waited.append(time.perf_counter() - started)
                await asyncio.sleep(0.01)
            return waited

        results = await asyncio.gather(*(hostile() for _ in range(4)), probe())
    waited = results[-1]
    assert waited is not None
    # a functional bound (the issue's 100 ms), not a benchmark: the median probe, so one
    # scheduling hiccup of this shared machine does not decide it; none waits a second
    assert statistics.median(waited) < 0.1, waited
    assert max(waited) < 1.0, waited


def test_stream_ids_cannot_collide_across_agencies() -> None:
    # the reported case: agency `sec-a` key `b-tool` against agency `sec-a-b` key `tool`
    assert stream_id("instrument", "sec-a", "b-tool", "v1") != stream_id(
        "instrument", "sec-a-b", "tool", "v1"
    )
    hostile = ["a-b", "a.b", "a/b", "a*", ">", "a%2Fb", "é", "e\u0301", "Ω/..", "", "%"]
    seen: dict[str, tuple[str, ...]] = {}
    for first in hostile:
        for second in hostile:
            parts = (first, second)
            made = stream_id("kind", *parts)
            assert seen.setdefault(made, parts) == parts, (made, parts)
            assert stream_parts(made) == ["kind", *parts]


@pytest.mark.parametrize("token", ["a.b", "*", ">", "a b", "ü", "a.>", "x\ty"])
def test_subject_tokens_are_one_token_without_wildcards(token: str) -> None:
    escaped = subject_token(token)
    assert not {".", "*", ">", " ", "\t"} & set(escaped)
    subject = event_subject("miiwrap", "learning", token, "module_mastered", token)
    assert subject.count(".") == 4  # agency and practitioner stay one token each


@pytest.mark.parametrize(
    "value",
    ["p\u202eevil", "p\u200bx", "\ufeffp", "p\u2066x", "p\x07", "p x", "a/b", ""],
)
def test_identifiers_refuse_invisible_characters(value: str) -> None:
    with pytest.raises(ValueError):
        normalise_identifier(value)


def test_identifiers_are_nfc_normalised() -> None:
    assert normalise_identifier("e\u0301") == "\u00e9"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"jwt_secret": SecretStr("x")}, "at least 32 bytes"),
        ({"jwt_secret": SecretStr("")}, "at least 32 bytes"),
        ({"jwt_secret": SecretStr("change-me-local-development-secret")}, "default JWT secret"),
        (
            {"jwt_algorithm": "RS256", "jwks_url": "http://idp.example/jwks.json"},
            "https:// JWKS",
        ),
        ({"jwt_secret": SecretStr("s" * 40), "max_token_lifetime_seconds": 10**9}, "7 days"),
    ],
)
def test_production_refuses_weak_settings(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ProbeSettings(environment="production", **overrides)


def test_production_accepts_strong_settings() -> None:
    ProbeSettings(environment="production", jwt_secret=SecretStr("s" * 32))
    ProbeSettings(
        environment="production", jwt_algorithm="RS256", jwks_url="https://idp.example/jwks"
    )


def _token(settings: ProbeSettings, **claims: Any) -> str:
    now = int(time.time())
    base = {
        "sub": "u1",
        "agency": "agency-a",
        "roles": ["coach"],
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + 60,
    }
    base.update(claims)
    payload = {k: v for k, v in base.items() if v is not None}
    return jwt.encode(payload, settings.jwt_secret.get_secret_value(), algorithm="HS256")


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": ""},
        {"sub": "   "},
        {"sub": None},
        {"exp": None},
        {"agency": None},
        {"roles": None},
        {"roles": []},
        {"roles": ["coach", "emperor"]},
        {"exp": int(time.time()) + 100 * 365 * 86400},  # a 100-year token
    ],
)
async def test_a_token_without_sub_exp_agency_and_known_roles_is_refused(
    claims: dict[str, Any],
) -> None:
    from shared.problems import Unauthorized

    settings = ProbeSettings(jwt_secret=SecretStr("s" * 40))
    with pytest.raises(Unauthorized):
        await TokenVerifier(settings).verify(_token(settings, **claims))


async def test_a_well_formed_token_is_accepted() -> None:
    settings = ProbeSettings(jwt_secret=SecretStr("s" * 40))
    principal = await TokenVerifier(settings).verify(
        issue_token(settings, subject="u1", agency_id="agency-a", roles=["coach"], ttl_seconds=60)
    )
    assert principal == Principal("u1", "agency-a", frozenset({Role.COACH}))


def test_make_run_writes_private_logs_and_serves_without_a_banner(tmp_path: Path) -> None:
    from system.devstack import UVICORN_HARDENING, open_private_log, uvicorn_command

    existing = tmp_path / "learning.log"
    existing.write_text("old\n")
    existing.chmod(0o644)
    with open_private_log(existing) as log:
        log.write(b"new\n")
    assert stat.S_IMODE(existing.stat().st_mode) == 0o600
    assert existing.read_text() == "old\nnew\n"
    command = uvicorn_command("learning", 8001)
    assert "--no-server-header" in command and "--no-access-log" in command
    # httptools under the kernel's protocol, whose limit on a request's head is the 431
    protocol = command[command.index("--http") + 1]
    assert protocol == "shared.http_protocol:HeadLimitedHttpToolsProtocol"
    module, name = protocol.split(":")
    assert issubclass(getattr(importlib.import_module(module), name), HttpToolsProtocol)
    # the image runs each service with the same options
    image = (Path(__file__).resolve().parents[2] / "deploy" / "Dockerfile").read_text()
    assert " ".join(UVICORN_HARDENING) in image
    keep_alive = float(command[command.index("--timeout-keep-alive") + 1])
    assert keep_alive > httpx.Limits().keepalive_expiry  # type: ignore[operator]


@pytest.mark.parametrize(
    "raw", ['["x"]', "[null]", '[{"a":1}]', "[1e999]", "[" * 400 + "]" * 400, "[]", '"x"', "[true]"]
)
def test_a_crafted_cursor_is_a_400_problem_on_every_kind_of_list(raw: str) -> None:
    from shared.pagination import BadCursor, PageRequest, decode_cursor, keyset, page_of_sorted

    cursor = base64.urlsafe_b64encode(raw.encode()).decode()
    with pytest.raises(BadCursor) as refused:
        after = decode_cursor(cursor)
        # a shape-valid cursor still has to fit the list's sort key
        page = PageRequest(limit=10, after=after)
        page_of_sorted([1, 2, 3], page, lambda n: [n, "id"])
        keyset(page, "int")
    assert refused.value.status == 400
