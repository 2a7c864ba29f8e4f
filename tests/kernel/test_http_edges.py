"""The kernel's HTTP edges on a real app: auth, body guard, problem details, JWKS."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Annotated, Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import APIRouter
from pydantic import BaseModel, SecretStr

from shared.auth import Principal, Role, TokenVerifier, allow
from shared.problems import Unauthorized
from shared.servers import free_port
from shared.service import RuntimeDep, ServiceDefinition, create_app
from shared.testing.apps import bearer, running
from tests.kernel.probe import ProbeSettings

router = APIRouter()


class Note(BaseModel):
    text: str
    score: float


@router.post("/notes")
async def write_note(
    note: Note, principal: Annotated[Principal, allow("notes.write")]
) -> dict[str, Any]:
    return {"agency": principal.agency_id, "text": note.text}


class Counter(BaseModel):
    value: int


@router.post("/counters")
async def store_counter(
    counter: Counter,
    principal: Annotated[Principal, allow("notes.write")],
    runtime: RuntimeDep,
) -> dict[str, int]:
    async with runtime.pool.acquire() as conn:  # an int4 column, as most counters are
        return {"value": await conn.fetchval("SELECT $1::int4", counter.value)}


PERMISSIONS = {"notes.write": frozenset({Role.ADMIN})}


@pytest.fixture
async def client(
    settings_for: Callable[..., Any],
) -> AsyncIterator[tuple[httpx.AsyncClient, ProbeSettings]]:
    settings: ProbeSettings = settings_for(ProbeSettings, max_body_bytes=1000)
    app = create_app(
        ServiceDefinition(
            settings=settings,
            title="probe",
            description="probe",
            routers=[router],
            permissions=PERMISSIONS,
        )
    )
    async with running(app) as http:
        yield http, settings


async def test_no_credential_is_401_with_a_bearer_challenge(client: Any) -> None:
    http, _ = client
    response = await http.post("/notes", json={"text": "x", "score": 1})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"] == "application/problem+json"
    assert "Authorization: Bearer" in response.json()["detail"]


async def test_a_role_outside_the_matrix_is_403_naming_the_roles_needed(client: Any) -> None:
    http, settings = client
    response = await http.post(
        "/notes", json={"text": "x", "score": 1}, headers=bearer(settings, "agency-a", "coach")
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "notes.write needs one of the roles: admin"


async def test_a_token_signed_with_another_secret_is_401(client: Any) -> None:
    http, settings = client
    forged = settings.model_copy(
        update={"jwt_secret": SecretStr("a-different-secret-of-sufficient-length-0123456789")}
    )
    response = await http.post(
        "/notes", json={"text": "x", "score": 1}, headers=bearer(forged, "agency-a", "admin")
    )
    assert response.status_code == 401
    assert "not valid" in response.json()["detail"]


async def test_the_admin_of_the_agency_gets_through(client: Any) -> None:
    http, settings = client
    response = await http.post(
        "/notes", json={"text": "hello", "score": 1}, headers=bearer(settings, "agency-a", "admin")
    )
    assert response.status_code == 200
    assert response.json() == {"agency": "agency-a", "text": "hello"}


async def test_a_body_over_the_limit_is_413_even_when_chunked(client: Any) -> None:
    http, settings = client
    headers = bearer(settings, "agency-a", "admin") | {"content-type": "application/json"}
    big = json.dumps({"text": "x" * 2000, "score": 1}).encode()
    declared = await http.post("/notes", content=big, headers=headers)

    async def chunks() -> AsyncIterator[bytes]:
        for i in range(0, len(big), 100):
            yield big[i : i + 100]

    chunked = await http.post("/notes", content=chunks(), headers=headers)
    for response in (declared, chunked):
        assert response.status_code == 413
        assert "limit is 1000 bytes" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "content_type", "status", "detail"),
    [
        (b'{"text": "x", "score": 1}', "text/plain", 415, "Content-Type: application/json"),
        (
            b'{"text": "x", "text": "y", "score": 1}',
            "application/json",
            400,
            "'text' appears more than once",
        ),
        (b'{"text": "x", "score": NaN}', "application/json", 400, "NaN is not valid JSON"),
        (b'{"text": "x", "score": ', "application/json", 400, "not valid JSON"),
        (b'{"text": "x"}', "application/json", 422, "score: Field required"),
        (b'{"text": "a\\u0000b", "score": 1}', "application/json", 422, "body.text contains a NUL"),
        (b'{"text": "\\udb56", "score": 1}', "application/json", 422, "unpaired UTF-16 surrogate"),
    ],
    ids=["not-json", "duplicate-key", "nan", "truncated", "missing-field", "nul", "surrogate"],
)
async def test_bad_bodies_get_a_problem_that_says_what_to_fix(
    client: Any, body: bytes, content_type: str, status: int, detail: str
) -> None:
    http, settings = client
    headers = bearer(settings, "agency-a", "admin") | {"content-type": content_type}
    response = await http.post("/notes", content=body, headers=headers)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert detail in response.json()["detail"]
    assert "Traceback" not in response.text


async def test_a_nul_in_the_query_is_refused_before_any_route(client: Any) -> None:
    http, settings = client
    response = await http.get("/notes?text=a%00b", headers=bearer(settings, "agency-a", "admin"))
    assert response.status_code == 422
    assert "NUL" in response.json()["detail"]


async def test_a_number_too_large_for_its_column_is_a_422_not_a_500(client: Any) -> None:
    http, settings = client
    response = await http.post(
        "/counters",
        json={"value": 1003459959004946560},
        headers=bearer(settings, "agency-a", "admin"),
    )
    assert response.status_code == 422
    assert "outside what can be stored" in response.json()["detail"]


@pytest.fixture
def jwks_server() -> Iterator[tuple[str, rsa.RSAPrivateKey]]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    body = json.dumps({"keys": [public | {"kid": "k1", "use": "sig", "alg": "RS256"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/.well-known/jwks.json", key
    server.shutdown()


def rs256_token(key: rsa.RSAPrivateKey, **claims: Any) -> str:
    now = int(time.time())
    payload = {
        "sub": "u1",
        "agency": "agency-a",
        "roles": ["coach"],
        "iss": "https://idp.example",
        "aud": "miiwrap",
        "iat": now,
        "exp": now + 60,
    } | claims
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": "k1"})


async def test_rs256_tokens_are_verified_against_the_jwks_with_issuer_and_audience(
    jwks_server: tuple[str, rsa.RSAPrivateKey],
) -> None:
    url, key = jwks_server  # plain http on loopback: production refuses it, "test" does not
    settings = ProbeSettings(
        environment="test",
        jwt_algorithm="RS256",
        jwks_url=url,
        jwt_issuer="https://idp.example",
        jwt_audience="miiwrap",
    )
    verifier = TokenVerifier(settings)

    principal = await verifier.verify(rs256_token(key))
    assert principal == Principal("u1", "agency-a", frozenset({Role.COACH}))

    for bad in (rs256_token(key, iss="https://other"), rs256_token(key, aud="other")):
        with pytest.raises(Unauthorized):
            await verifier.verify(bad)
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(Unauthorized):
        await verifier.verify(rs256_token(other_key))
