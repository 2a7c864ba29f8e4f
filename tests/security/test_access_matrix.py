"""Every endpoint of every service, found in its OpenAPI document, refuses the wrong caller.

Agency A's data is seeded through the four APIs (the end-to-end scenario). Then, for
each operation the OpenAPI documents lists:

- it must declare an action that its service's permission matrix knows (an endpoint
  added later without one fails here), unless it is public or an xAPI resource (HTTP
  Basic, by LMS credential);
- with no credential it answers 401;
- with a role the matrix does not allow it answers 403 (lms_partner reaches only xAPI);
- called by agency B on agency A's records (ids taken from A's own listings) it answers
  404 or 403, and no answer to B contains A's practitioners, coaches or observers.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI

from shared.auth import Role, declared_actions
from shared.testing.apps import bearer
from shared.testing.imports import ndjson, post_import
from tests.e2e.test_certification_across_services import (
    COACH,
    OBSERVER,
    PRACTITIONER,
    PROGRAM_START,
    Service,
    coach,
    four_services,
    learn,
    observe,
)

PUBLIC = {
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    ("GET", "/xapi/about"),  # the spec makes About public
    ("HEAD", "/xapi/about"),
    # portable credentials: anyone verifies one and reads its issuer's keys and status list
    ("POST", "/credentials/verify"),
    ("GET", "/credentials/{credential_id}"),
    ("GET", "/issuers/{agency_id}/did.json"),
    ("GET", "/issuers/{agency_id}/jwks.json"),
    ("GET", "/issuers/{agency_id}/status/1"),
}
XAPI_PREFIX = "/xapi/"  # HTTP Basic by LMS credential, checked inside the LRS
BASIC_PATHS = ("/xapi-outcomes",)  # the LMS partner's own outcomes, by LMS credential too
WRONG_ROLE_PREFERENCE = [
    Role.LMS_PARTNER,
    Role.PRACTITIONER,
    Role.OBSERVER,
    Role.AUDITOR,
    Role.COACH,
    Role.SUPERVISOR,
    Role.ADMIN,
    Role.PLATFORM_OPERATOR,  # the platform's own routes (onboarding agencies)
]
A_MARKERS = (PRACTITIONER, COACH, OBSERVER)
PARAM = re.compile(r"\{([^}]+)\}")


@dataclass
class Operation:
    service: str
    method: str
    path: str
    action: str | None

    @property
    def name(self) -> str:
        return f"{self.service} {self.method} {self.path}"

    def url(self, values: dict[str, str] | None = None) -> str:
        values = values or {}
        return PARAM.sub(lambda m: values.get(m.group(1), "does-not-exist"), self.path)


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)
    checked: int = 0

    def expect(self, condition: bool, message: str) -> None:
        self.checked += 1
        if not condition:
            self.problems.append(message)


def operations(service: str, app: FastAPI) -> list[Operation]:
    """Every operation of the service's OpenAPI document, with the action it declares."""
    actions = declared_actions(app.openapi())
    return [
        Operation(service, method, path, scopes[0] if len(scopes) == 1 else None)
        for (method, path), scopes in actions.items()
    ]


async def call(
    client: httpx.AsyncClient, op: Operation, url: str, headers: dict[str, str]
) -> httpx.Response:
    body = {} if op.method in ("POST", "PUT", "PATCH") else None
    return await client.request(op.method, url, json=body, headers=headers)


async def ids_listed_by_a(service: Service, ops: list[Operation]) -> dict[str, set[str]]:
    """Every `*id` value in A's own listings, by key and by the listing's path."""
    found: dict[str, set[str]] = {}
    admin = bearer(service.settings, service.agency_id, "admin", subject="admin-ada")
    for op in ops:
        if op.method != "GET" or "{" in op.path or op.path.startswith(XAPI_PREFIX):
            continue
        response = await service.client.get(op.path, headers=admin)
        if response.status_code != 200:
            continue

        def collect(value: Any, path: str = op.path) -> None:
            if isinstance(value, dict):
                for key, inner in value.items():
                    if isinstance(inner, str) and (key == "id" or key.endswith("_id")):
                        found.setdefault(key, set()).add(inner)
                        if key == "id":
                            found.setdefault(f"{path}#id", set()).add(inner)
                    collect(inner, path)
            elif isinstance(value, list):
                for inner in value:
                    collect(inner, path)

        collect(response.json())
    return found


def candidate_values(op: Operation, ids: dict[str, set[str]]) -> dict[str, str] | None:
    """A's ids for each path parameter, or None when A has no such record."""
    values = {}
    for param in PARAM.findall(op.path):
        prefix = op.path.split("{" + param + "}")[0].rstrip("/")
        pool = ids.get(param) or ids.get(f"{prefix}#id") or set()
        if param == "practitioner_id":
            pool = {PRACTITIONER}
        if not pool:
            return None
        values[param] = sorted(pool)[0]
    return values


async def import_a_dry_run(service: Service) -> None:
    """A's import report, so agency B's reach for it is tried too."""
    line = {"kind": "enrollment", "id": str(uuid.uuid4()), "practitioner_id": PRACTITIONER}
    admin = bearer(service.settings, service.agency_id, "admin", subject="admin-ada")
    response = await post_import(service.client, admin, ndjson([line]), dry_run=True)
    assert response.status_code == 200, response.text


async def assert_every_event_names_its_actor(agency: Any, agency_id: str) -> None:
    """Who did it: every stored event records the principal that caused it."""
    for name in ("learning", "coaching", "fidelity", "certification"):
        app: FastAPI = getattr(agency, name).client._transport.app
        async with app.state.runtime.pool.acquire() as conn:
            rows = await conn.fetch("SELECT name, metadata->>'actor' AS actor FROM events")
        assert rows, f"{name} stored no events"
        for row in rows:
            assert (row["actor"] or "").startswith(f"{agency_id}/"), (
                name,
                row["name"],
                row["actor"],
            )


async def test_every_endpoint_refuses_the_unauthenticated_the_wrong_role_and_other_agencies(
    settings_for: Callable[..., Any], agency_id: str
) -> None:
    findings = Findings()
    other_agency = "other-" + agency_id
    async with four_services(settings_for, agency_id) as agency:
        registration = {
            "practitioner_id": PRACTITIONER,
            "role": "facilitator",
            "program_start": PROGRAM_START.isoformat(),
            "coach_id": COACH,
            "supervisor_id": "sup-sam",
        }
        await agency.certification.post("/practitioners", registration, "admin", subject="admin")
        await learn(agency)
        await coach(agency)
        await observe(agency)
        await import_a_dry_run(agency.learning)
        await assert_every_event_names_its_actor(agency, agency_id)
        services = {
            "learning": agency.learning,
            "coaching": agency.coaching,
            "fidelity": agency.fidelity,
            "certification": agency.certification,
        }
        for name, service in services.items():
            app: FastAPI = service.client._transport.app  # type: ignore[attr-defined]
            matrix = app.state.permissions
            ops = operations(name, app)
            ids = await ids_listed_by_a(service, ops)
            for op in ops:
                if (op.method, op.path) in PUBLIC or op.path in ("/docs", "/openapi.json"):
                    continue
                xapi = op.path.startswith(XAPI_PREFIX) or op.path in BASIC_PATHS
                if not xapi:
                    findings.expect(
                        op.action is not None and op.action in matrix,
                        f"{op.name}: no action in the permission matrix",
                    )
                base = {"X-Experience-API-Version": "1.0.3"} if xapi else {}
                anonymous = await call(service.client, op, op.url(), base)
                refusals = {401}
                if xapi and op.method == "POST":
                    # xAPI's Alternate Request Syntax: a POST without ?method= on a
                    # GET-only resource is refused as 405 before anything is read
                    refusals.add(405)
                findings.expect(
                    anonymous.status_code in refusals,
                    f"{op.name}: {anonymous.status_code} without credentials, expected 401",
                )
                if xapi:
                    token = base | bearer(service.settings, agency_id, "admin")
                    with_bearer = await call(service.client, op, op.url(), token)
                    findings.expect(
                        with_bearer.status_code in refusals,
                        f"{op.name}: a bearer token got {with_bearer.status_code} on xAPI",
                    )
                    continue
                allowed = matrix.get(op.action, frozenset())
                wrong = next((r for r in WRONG_ROLE_PREFERENCE if r not in allowed), None)
                if wrong is not None:
                    refused = await call(
                        service.client, op, op.url(), bearer(service.settings, agency_id, wrong)
                    )
                    findings.expect(
                        refused.status_code == 403,
                        f"{op.name}: role {wrong} got {refused.status_code}, expected 403",
                    )
                role = next(r for r in WRONG_ROLE_PREFERENCE[::-1] if r in allowed)
                b_headers = bearer(service.settings, other_agency, role, subject="b-user")
                values = candidate_values(op, ids)
                if "{" in op.path and values is not None:
                    a_headers = bearer(service.settings, agency_id, "admin")
                    own = await service.client.get(op.url(values), headers=a_headers)
                    if own.status_code != 200:
                        continue  # A has no such record (or no GET): nothing of A's to reach
                    # echoing the id B asked for is no leak; anything else of A's is
                    markers = [m for m in A_MARKERS if m not in values.values()]
                    foreign = await call(service.client, op, op.url(values), b_headers)
                    if op.method == "GET":
                        global_data = not any(m in own.text for m in A_MARKERS)
                        findings.expect(
                            foreign.status_code in (403, 404)
                            or global_data
                            or (foreign.status_code == 200 and foreign.text != own.text),
                            f"{op.name}: agency B got {foreign.status_code} on A's {values}",
                        )
                    else:
                        after = await service.client.get(op.url(values), headers=a_headers)
                        findings.expect(
                            after.text == own.text,
                            f"{op.name}: agency B's call changed A's {values}",
                        )
                    findings.expect(
                        not any(m in foreign.text for m in markers),
                        f"{op.name}: agency B's answer names A's people",
                    )
                elif op.method == "GET" and "{" not in op.path:
                    listing = await service.client.get(op.path, headers=b_headers)
                    findings.expect(
                        not any(m in listing.text for m in A_MARKERS),
                        f"{op.name}: agency B's listing names A's people",
                    )
    assert findings.checked > 100
    assert findings.problems == [], "\n".join(findings.problems)
