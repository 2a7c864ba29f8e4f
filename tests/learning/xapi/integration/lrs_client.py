"""An LMS partner as a test drives it: one agency, one credential, xAPI headers set."""

from __future__ import annotations

import base64
import functools
import json
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI
from nats.aio.client import Client as NatsClient

from services.learning.config import LearningSettings
from shared.envelope import CloudEvent
from shared.testing.apps import bearer, runtime_of
from shared.testing.roster import RosterAnnouncer

VERSION = {"X-Experience-API-Version": "1.0.3"}


def basic(key: str, secret: str) -> dict[str, str]:
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@dataclass
class Lms:
    client: httpx.AsyncClient
    settings: LearningSettings
    app: FastAPI
    agency_id: str
    key: str = ""
    secret: str = ""
    default_headers: dict[str, str] = field(default_factory=dict)
    nats: NatsClient | None = None  # for the roster events of this agency

    @functools.cached_property
    def roster(self) -> RosterAnnouncer:
        """Certification's roster of this agency, copied by the running learning service."""
        assert self.nats is not None, "an Lms of an agency (new_agency) announces its roster"
        return RosterAnnouncer(
            self.nats, self.settings.subject_root, self.agency_id, [runtime_of(self.app).pool]
        )

    @property
    def events_subject(self) -> str:
        return f"{self.settings.subject_root}.learning.{self.agency_id}.>"

    def headers(self, **extra: str) -> dict[str, str]:
        return {**VERSION, **basic(self.key, self.secret), **extra}

    def admin_headers(self, role: str = "admin") -> dict[str, str]:
        return bearer(self.settings, self.agency_id, role, subject="admin-1")

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | list[tuple[str, str]] | None = None,
        json_body: Any = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        sent = self.headers(**(headers or {}))
        if json_body is not None:
            content = json.dumps(json_body).encode()
            sent.setdefault("Content-Type", "application/json")
        return await self.client.request(
            method, f"/xapi/{path}", params=_params(params), content=content, headers=sent
        )

    async def post_statements(self, body: Any, **headers: str) -> httpx.Response:
        return await self.request("POST", "statements", json_body=body, headers=headers)

    async def put_statement(self, statement_id: str, body: Any, **headers: str) -> httpx.Response:
        return await self.request(
            "PUT",
            "statements",
            params={"statementId": statement_id},
            json_body=body,
            headers=headers,
        )

    async def get_statements(self, **params: Any) -> httpx.Response:
        return await self.request("GET", "statements", params=params)

    async def stored(self, body: Any) -> list[str]:
        response = await self.post_statements(body)
        assert response.status_code == 200, response.text
        ids: list[str] = response.json()
        return ids

    async def admin(self, method: str, path: str, body: Any = None) -> httpx.Response:
        return await self.client.request(method, path, json=body, headers=self.admin_headers())

    async def declare_accounts(self, home_page: str) -> None:
        """Account names on this LMS are the agency's practitioner ids."""
        response = await self.admin(
            "PUT", f"/xapi-mappings/account-home-pages/{path_of(home_page)}"
        )
        assert response.status_code == 204, response.text

    async def map_activity(self, activity_id: str, **body: str) -> None:
        response = await self.admin(
            "PUT", f"/xapi-mappings/activities/{path_of(activity_id)}", body
        )
        assert response.status_code in (200, 201), response.text

    async def enroll(self, *practitioners: str) -> None:
        """Put them on the roster (as certification would), then enroll them."""
        await self.roster.ensure(*practitioners)
        for practitioner in practitioners:
            body = {"practitioner_id": practitioner, "enrolled_on": "2025-03-03"}
            response = await self.admin("POST", "/enrollments", body)
            assert response.status_code == 201, response.text


def path_of(iri: str) -> str:
    """An IRI as one URL path segment."""
    return urllib.parse.quote(iri, safe="")


def _params(params: dict[str, Any] | list[tuple[str, str]] | None) -> Any:
    if params is None or isinstance(params, list):
        return params
    return {k: json.dumps(v) if isinstance(v, dict) else _text(v) for k, v in params.items()}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# Lapses a 2025 history implies are announced as soon as it is recorded (see
# tests/learning/test_lapse_check.py); statement tests look at the evidence itself.
LAPSE_BOOKKEEPING = frozenset({"concept_lapsed", "concept_restored", "evidence_withdrawn"})


def without_lapses(events: list[CloudEvent]) -> list[CloudEvent]:
    """The events that are not lapse announcements, in stream order."""
    return [e for e in events if e.event_name not in LAPSE_BOOKKEEPING]
