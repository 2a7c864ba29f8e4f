"""HTTP clients of the four services' public APIs, called with the viewer's own token.

Every answer that is not a success becomes an `ApiProblem` carrying the RFC 9457
problem's title and detail, so pages show people the service's own words.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from shared.logs import REQUEST_ID_HEADER, current_request_id

MAX_PAGES = 200  # 200 pages of 200 rows: far beyond an agency; a runaway cursor stops here
# A service's copy of the roster lags certification's by moments: evidence for someone
# registered a second ago may be refused as not on the roster; it is sent again (with
# the same client-chosen id, so at most once) for this long before the refusal is shown.
ROSTER_LAG_SECONDS = 3.0
IDEMPOTENT = frozenset({"GET", "PUT", "DELETE"})


class ApiProblem(Exception):
    """A service refused or failed a call; its problem detail in words."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        *,
        type_: str = "about:blank",
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(f"{status} {title}: {detail}")
        self.status = status
        self.title = title
        self.detail = detail
        self.type = type_
        self.errors = errors or []

    @property
    def not_found(self) -> bool:
        return self.status == 404


def _problem(response: httpx.Response, service: str) -> ApiProblem:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    return ApiProblem(
        response.status_code,
        str(body.get("title") or response.reason_phrase or "Error"),
        str(body.get("detail") or f"the {service} service answered {response.status_code}"),
        type_=str(body.get("type") or "about:blank"),
        errors=body.get("errors") if isinstance(body.get("errors"), list) else None,
    )


@dataclass(frozen=True)
class ServiceApi:
    name: str
    base_url: str
    http: httpx.AsyncClient
    token: str

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
    ) -> Any:
        waited = 0.0
        while True:
            try:
                return await self._call_once(method, path, params, body)
            except ApiProblem as problem:
                lagging = problem.status == 422 and problem.type.endswith("/not-on-roster")
                if not lagging or method == "GET" or waited >= ROSTER_LAG_SECONDS:
                    raise
            await asyncio.sleep(0.25)
            waited += 0.25

    async def _call_once(
        self, method: str, path: str, params: Mapping[str, Any] | None, body: Any
    ) -> Any:
        query = {k: v for k, v in (params or {}).items() if v is not None and v != ""}
        # when a pooled connection breaks under a request, it goes out once more if that is
        # safe: a read, or a write carrying its own id (the service answers a repeat with
        # the stored record)
        own_id = isinstance(body, dict) and bool(body.get("id"))
        tries = 2 if method in IDEMPOTENT or own_id else 1
        for attempt in range(tries):
            try:
                response = await self.http.request(
                    method,
                    f"{self.base_url}{path}",
                    params=query,
                    json=body,
                    headers=self._headers(),
                )
                break
            except httpx.HTTPError as error:
                if attempt + 1 < tries:
                    continue
                raise ApiProblem(
                    503,
                    "Service unavailable",
                    f"the {self.name} service could not be reached ({type(error).__name__}); "
                    "try again in a moment",
                ) from error
        if response.status_code >= 400:
            raise _problem(response, self.name)
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    def _headers(self) -> dict[str, str]:
        """The viewer's token, and the page's request id so the services' logs join up."""
        headers = {"Authorization": f"Bearer {self.token}"}
        request_id = current_request_id()
        if request_id:
            headers[REQUEST_ID_HEADER] = request_id
        return headers

    async def get(self, path: str, **params: Any) -> Any:
        return await self.call("GET", path, params=params)

    async def post(self, path: str, body: Any, **params: Any) -> Any:
        return await self.call("POST", path, params=params, body=body)

    async def put(self, path: str, body: Any) -> Any:
        return await self.call("PUT", path, body=body)

    async def delete(self, path: str) -> Any:
        return await self.call("DELETE", path)

    async def every(self, path: str, **params: Any) -> list[Any]:
        """Every item of a paginated list, following `next_cursor` to the end."""
        items: list[Any] = []
        cursor: str | None = None
        for _ in range(MAX_PAGES):
            page = await self.get(path, limit=200, cursor=cursor, **params)
            items.extend(page["items"])
            cursor = page.get("next_cursor")
            if not cursor:
                return items
        return items


@dataclass(frozen=True)
class Apis:
    learning: ServiceApi
    coaching: ServiceApi
    fidelity: ServiceApi
    certification: ServiceApi

    @classmethod
    def for_token(cls, http: httpx.AsyncClient, urls: Mapping[str, str], token: str) -> Apis:
        return cls(
            **{
                name: ServiceApi(name, urls[name].rstrip("/"), http, token)
                for name in ("learning", "coaching", "fidelity", "certification")
            }
        )
