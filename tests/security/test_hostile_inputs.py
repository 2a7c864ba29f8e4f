"""Hostile input against every operation of the four OpenAPI documents: never a 500.

For each operation, where the input applies: a JSON body nested thousands deep, headers
over the limit, crafted cursors, dates and datetimes out of range (year 1, 9999, no
timezone), and ids with bidi overrides, zero-width characters or a BOM, in paths, query
parameters and bodies. Each answer must be a 4xx problem detail (400, 413, 422 or 431
as the case is, naming the field where one is at fault), and nothing may be stored.
Then the cross-agency stream-id collision of fidelity's instruments, end to end.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from shared.testing.apps import bearer, runtime_of
from tests.e2e.test_certification_across_services import Service, four_services
from tests.fidelity.fidelity_builders import tiny_instrument
from tests.security.test_access_matrix import BASIC_PATHS, PARAM, XAPI_PREFIX

DEEP_JSON = ("[" * 3000 + "]" * 3000).encode()
DEEP_OBJECT = ('{"a":' * 3000 + "1" + "}" * 3000).encode()
CURSORS = [
    base64.urlsafe_b64encode(raw.encode()).decode()
    for raw in ('["x"]', "[null]", '[{"a":1}]', "[1e999]", "[" * 500 + "]" * 500, '"x"', "[]")
] + ["not-base64!", "W1siYSJdXQ==", "x" * 5000]
DATES = ["0001-01-01", "1899-12-31", "9999-12-31", "2200-01-01"]
DATETIMES = ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2025-01-01T10:00:00"]
NIL_UUID = "00000000-0000-0000-0000-000000000000"
HOSTILE_IDS = ["p\u202eevil", "p\u200bx", "\ufeffp", "p\u2066x\u2069", "p\x07"]
PERSON_FIELDS = {
    "practitioner_id",
    "coach_id",
    "observer_id",
    "supervisor_id",
    "facilitator_id",
    "rater_id",
}


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = document["components"]["schemas"][name]
    return schema


def formats(document: dict[str, Any], schema: dict[str, Any]) -> set[str]:
    schema = resolve(document, schema)
    found = {schema["format"]} if "format" in schema else set()
    for option in schema.get("anyOf", []) + schema.get("allOf", []):
        found |= formats(document, option)
    return found


def body_properties(document: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any]:
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    if schema is None:
        return {}
    props: dict[str, Any] = resolve(document, schema).get("properties", {})
    return props


def well_formed_id(document: dict[str, Any], params: dict[str, Any], name: str) -> str:
    schema = params.get(name, {}).get("schema", {})
    return NIL_UUID if "uuid" in formats(document, schema) else "p-1"


class Sweep:
    def __init__(self, service: Service) -> None:
        self.service = service
        self.admin = bearer(service.settings, service.agency_id, "admin", subject="admin-ada")
        self.failures: list[str] = []
        self.checked = 0

    async def expect(
        self, method: str, url: str, statuses: set[int], field: str | None = None, **kwargs: Any
    ) -> None:
        headers = self.admin | kwargs.pop("headers", {})
        response = await self.service.client.request(method, url, headers=headers, **kwargs)
        self.checked += 1
        where = f"{self.service.settings.service_name} {method} {url[:80]}"
        if response.status_code not in statuses:
            self.failures.append(f"{where}: {response.status_code} {response.text[:200]}")
            return
        if response.status_code < 400:
            return
        if response.headers.get("content-type") != "application/problem+json":
            self.failures.append(f"{where}: not a problem detail")
        elif field is not None and field not in response.text:
            self.failures.append(f"{where}: the problem does not name {field}: {response.text}")


def hostile_values(document: dict[str, Any], name: str, schema: dict[str, Any]) -> list[Any]:
    """What to throw at one field: extreme dates, extreme datetimes or look-alike ids."""
    kinds = formats(document, schema)
    if "date" in kinds:
        return list(DATES)
    if "date-time" in kinds:
        return list(DATETIMES)
    return list(HOSTILE_IDS) if name in PERSON_FIELDS else []


def shared_parameter(document: dict[str, Any], parameter: dict[str, Any]) -> dict[str, Any]:
    """A parameter as declared: a `$ref` (the Idempotency-Key header) is looked up."""
    reference = parameter.get("$ref")
    if reference is None:
        return parameter
    shared: dict[str, Any] = document["components"]["parameters"][reference.rsplit("/", 1)[-1]]
    return shared


async def sweep(service: Service) -> Sweep:
    document = service.client._transport.app.openapi()  # type: ignore[attr-defined]
    checks = Sweep(service)
    for path, item in document["paths"].items():
        for method, operation in item.items():
            method = method.upper()
            if path.startswith(XAPI_PREFIX) or path in ("/healthz", "/readyz", "/metrics"):
                continue
            if path in BASIC_PATHS:  # by LMS credential: see test_lms_reporting
                continue
            url = PARAM.sub("p-1", path)
            params = {
                p["name"]: p
                for p in (shared_parameter(document, p) for p in operation.get("parameters", []))
            }
            await checks.expect(
                method, url, {431}, headers={"X-Padding": "x" * 40_000}
            )  # headers over the limit
            if method in ("POST", "PUT", "PATCH"):
                # a JSON body where the operation takes another media type (NDJSON) is 415
                media = operation.get("requestBody", {}).get("content", {"application/json": {}})
                refusal = 400 if "application/json" in media else 415
                for deep in (DEEP_JSON, DEEP_OBJECT):
                    await checks.expect(
                        method,
                        url,
                        {refusal},
                        content=deep,
                        headers={"content-type": "application/json"},
                    )
                for name, schema in body_properties(document, operation).items():
                    for value in hostile_values(document, name, schema):
                        await checks.expect(method, url, {422}, name, json={name: value})
            if "cursor" in params and method == "GET":
                # a path naming no record may answer 404 before reading the cursor; the
                # first cursor is a well-formed text key, which a text-keyed list takes.
                # A UUID path parameter gets a well-formed UUID, so the cursor is reached.
                listing = PARAM.sub(
                    lambda m, given=params: well_formed_id(document, given, m.group(1)), path
                )
                await checks.expect(method, listing, {200, 400, 404}, params={"cursor": CURSORS[0]})
                for cursor in CURSORS[1:]:
                    await checks.expect(method, listing, {400, 404}, params={"cursor": cursor})
            for name, param in params.items():
                for value in hostile_values(document, name, param.get("schema", {})):
                    if param["in"] == "query":
                        await checks.expect(method, url, {422}, name, params={name: value})
                    elif param["in"] == "path":
                        segment = quote(value, safe="")  # as a client sends it
                        await checks.expect(method, PARAM.sub(segment, path), {422}, name)
    return checks


async def stored_events(service: Service) -> int:
    async with runtime_of(service.client._transport.app).pool.acquire() as conn:  # type: ignore[attr-defined]
        count: int = await conn.fetchval("SELECT count(*) FROM events")
    return count


async def test_hostile_input_to_every_operation_is_a_problem_and_stores_nothing(
    settings_for: Callable[..., Any], agency_id: str
) -> None:
    async with four_services(settings_for, agency_id) as agency:
        services = [agency.learning, agency.coaching, agency.fidelity, agency.certification]
        before = [await stored_events(s) for s in services]
        sweeps = [await sweep(s) for s in services]
        after = [await stored_events(s) for s in services]
    failures = [f for s in sweeps for f in s.failures]
    assert failures == [], "\n".join(failures[:40])
    assert all(s.checked > 50 for s in sweeps), [s.checked for s in sweeps]
    assert after == before  # nothing stored


@pytest.mark.parametrize(
    ("first", "second"),
    [(("sec-a", "b-tool"), ("sec-a-b", "tool")), (("sec-a", "b-tool-v1"), ("sec-a-b-tool", "v1"))],
)
async def test_one_agency_cannot_block_another_agencys_instrument_key(
    settings_for: Callable[..., Any],
    first: tuple[str, str],
    second: tuple[str, str],
) -> None:
    from services.fidelity.bootstrap import create_service_app
    from services.fidelity.config import FidelitySettings
    from shared.testing.apps import running

    settings = settings_for(FidelitySettings)
    async with running(create_service_app(settings)) as client:
        answers = []
        for agency, key in (first, second):
            answers.append(await create_instrument(client, settings, agency, key))
    assert [a.status_code for a in answers] == [201, 201], [a.text for a in answers]


async def create_instrument(
    client: httpx.AsyncClient, settings: Any, agency: str, key: str
) -> httpx.Response:
    return await client.post(
        "/instruments", json=tiny_instrument(key=key), headers=bearer(settings, agency, "admin")
    )
