"""What every page shares: templates, the signed-in viewer, CSRF, error pages.

Every form carries the session's CSRF token and `checked_form` refuses a POST without
it (htmx sends it as the `X-CSRF-Token` header); a refused or failed call to a service
is shown as a page with the service's problem detail.
"""

from __future__ import annotations

import hmac
import secrets
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import httpx
from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.portal.adapters.services import ApiProblem, Apis
from services.portal.config import PortalSettings
from services.portal.domain.board import STATUS_WORDS
from services.portal.domain.viewer import Viewer
from services.portal.permissions import NAVIGATION, may_open

HERE = Path(__file__).parent
templates = Jinja2Templates(
    env=Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape())
)
templates.env.filters["words"] = lambda value: STATUS_WORDS.get(
    str(value), str(value).replace("_", " ")
)
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
# an instrument may have up to 2000 indicators, one radio group each; no form takes files
MAX_FORM_FIELDS = 2100


class SignInRequired(Exception):
    """No one is signed in: the page sends them to sign in."""


class PageForbidden(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class CsrfRefused(Exception):
    """A form arrived without the session's CSRF token."""


def settings_of(request: Request) -> PortalSettings:
    settings: PortalSettings = request.app.state.settings
    return settings


def today() -> date:
    return datetime.now(UTC).date()


def csrf_token(request: Request) -> str:
    token = request.session.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[CSRF_FIELD] = token
    return token


def current_viewer(request: Request) -> Viewer:
    viewer = Viewer.from_session(request.session.get("viewer"))
    if viewer is None:
        raise SignInRequired
    return viewer


CurrentViewer = Annotated[Viewer, Depends(current_viewer)]


class PageFor:
    """Dependency: the viewer, who must hold a role that opens `page`."""

    def __init__(self, page: str) -> None:
        self.page = page

    def __call__(self, viewer: CurrentViewer) -> Viewer:
        if not may_open(viewer.roles, self.page):
            raise PageForbidden(
                f"this page is not for your role ({', '.join(sorted(viewer.roles))})"
            )
        return viewer


def apis_for(request: Request, viewer: CurrentViewer) -> Apis:
    http: httpx.AsyncClient = request.app.state.http
    return Apis.for_token(http, settings_of(request).service_urls(), viewer.token)


ApisDep = Annotated[Apis, Depends(apis_for)]


async def checked_form(request: Request) -> dict[str, str]:
    """The POSTed form's fields, refused (403) unless it carries the session's CSRF token."""
    form = await request.form(max_files=0, max_fields=MAX_FORM_FIELDS)
    sent = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER)
    expected = request.session.get(CSRF_FIELD)
    if not isinstance(sent, str) or not isinstance(expected, str):
        raise CsrfRefused
    if not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfRefused
    return {key: value for key, value in form.items() if isinstance(value, str)}


FormDep = Annotated[dict[str, str], Depends(checked_form)]


async def form_lists(request: Request, *names: str) -> dict[str, list[str]]:
    """The values of repeatable fields (checkboxes) of the POSTed form."""
    form = await request.form(max_files=0, max_fields=MAX_FORM_FIELDS)
    return {name: [v for v in form.getlist(name) if isinstance(v, str)] for name in names}


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    viewer = Viewer.from_session(request.session.get("viewer"))
    navigation = [
        (label, href) for page, label, href in NAVIGATION if viewer and may_open(viewer.roles, page)
    ]
    if viewer and viewer.practitioner_only:
        navigation = [("My page", f"/practitioners/{viewer.subject}")]
    values = {
        "viewer": viewer,
        "navigation": navigation,
        "csrf_token": csrf_token(request),
        "path": request.url.path,
        "today": today(),
        **(context or {}),
    }
    started = time.perf_counter()
    response = templates.TemplateResponse(
        request, template, values, status_code=status_code, headers=headers
    )
    # how long drawing the HTML took, beside the whole request (bootstrap adds `total`)
    response.headers["Server-Timing"] = f"render;dur={(time.perf_counter() - started) * 1000:.1f}"
    return response


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def problem_page(request: Request, problem: ApiProblem) -> Response:
    if problem.status == 401:
        request.session.pop("viewer", None)
        return redirect("/signin?expired=1")
    template = "not_found.html" if problem.status == 404 else "problem.html"
    return render(request, template, {"problem": problem}, status_code=problem.status)


def register_error_pages(app: Any) -> None:
    async def on_problem(request: Request, error: Exception) -> Response:
        assert isinstance(error, ApiProblem)
        return problem_page(request, error)

    async def on_sign_in(request: Request, error: Exception) -> Response:
        return redirect("/signin")

    async def on_forbidden(request: Request, error: Exception) -> Response:
        assert isinstance(error, PageForbidden)
        problem = ApiProblem(403, "Not your page", error.detail)
        return render(request, "problem.html", {"problem": problem}, status_code=403)

    async def on_csrf(request: Request, error: Exception) -> Response:
        problem = ApiProblem(
            403,
            "The form could not be accepted",
            "the form lacked its security token (or it expired); reload the page and send it again",
        )
        return render(request, "problem.html", {"problem": problem}, status_code=403)

    async def on_http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        if error.status_code == 404:
            problem = ApiProblem(404, "Page not found", "there is no page at this address")
            return render(request, "not_found.html", {"problem": problem}, status_code=404)
        problem = ApiProblem(
            error.status_code, "The request could not be handled", str(error.detail)
        )
        return render(request, "problem.html", {"problem": problem}, status_code=error.status_code)

    async def on_bad_address(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        where = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in error.errors()
        )
        problem = ApiProblem(400, "This address is not valid", f"check the address ({where})")
        return render(request, "problem.html", {"problem": problem}, status_code=400)

    app.add_exception_handler(ApiProblem, on_problem)
    app.add_exception_handler(SignInRequired, on_sign_in)
    app.add_exception_handler(PageForbidden, on_forbidden)
    app.add_exception_handler(CsrfRefused, on_csrf)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_bad_address)
