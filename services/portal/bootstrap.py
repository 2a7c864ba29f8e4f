"""Composition root of the portal: settings, session, HTTP client, pages → app."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from services.portal.adapters.oidc import oidc_client
from services.portal.config import PortalSettings
from services.portal.entrypoints.api import routers
from services.portal.entrypoints.web import HERE, register_error_pages
from shared.logs import RequestLogging

# Scripts and styles come from the portal itself only (no CDN: agencies run closed networks).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'"
)


def create_portal_app(settings: PortalSettings | None = None) -> FastAPI:
    settings = settings or PortalSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # idle connections are dropped before the services' servers drop them (uvicorn: 5 s),
        # so a request never goes out on a connection the other side is closing
        limits = httpx.Limits(
            max_connections=100, max_keepalive_connections=40, keepalive_expiry=2.0
        )
        async with httpx.AsyncClient(
            timeout=settings.request_timeout_seconds, limits=limits
        ) as http:
            app.state.http = http
            yield

    app = FastAPI(
        title="MiiWrap portal",
        description="Pages for supervisors, coaches, observers, admins and practitioners.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.oidc = oidc_client(settings) if settings.sign_in == "oidc" else None
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.session_secret.get_secret_value(),
        session_cookie="miiwrap_portal",
        max_age=settings.session_max_age_seconds,
        same_site="lax",
        https_only=settings.cookie_secure,
    )

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        total = f"total;dur={(time.perf_counter() - started) * 1000:.1f}"
        timing = response.headers.get("Server-Timing")
        response.headers["Server-Timing"] = f"{timing}, {total}" if timing else total
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        if not request.url.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> dict[str, str]:
        return {"status": "ready"}

    # outermost: a request id in and out (also sent on to the services), one access line
    app.add_middleware(RequestLogging)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for router in routers:
        app.include_router(router)
    register_error_pages(app)
    return app


def create_service_app() -> FastAPI:
    """`uvicorn --factory services.portal.bootstrap:create_service_app` (settings from env)."""
    return create_portal_app()
