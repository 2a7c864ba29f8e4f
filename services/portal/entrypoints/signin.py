"""Sign-in and sign-out: local demo identities, or the agency's OpenID Connect provider."""

from __future__ import annotations

from typing import Annotated

from authlib.integrations.base_client.errors import OAuthError
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from services.portal.adapters.oidc import PROVIDER, SignInRefused, viewer_from_claims
from services.portal.adapters.services import ApiProblem
from services.portal.adapters.tokens import local_token
from services.portal.domain.viewer import Viewer
from services.portal.entrypoints.web import FormDep, redirect, render, settings_of
from services.portal.permissions import may_open
from shared.auth import AGENCY_ID, Role

router = APIRouter(tags=["sign-in"])


def landing(viewer: Viewer) -> str:
    """The page a person starts on: the one answering their first question."""
    if viewer.practitioner_only:
        return f"/practitioners/{viewer.subject}"
    for page, url in (("board", "/board"), ("team", "/team"), ("observe", "/observe")):
        if may_open(viewer.roles, page):
            return url
    return "/coach"


def start_session(request: Request, viewer: Viewer) -> Response:
    request.session.clear()  # a new session: nothing of the signed-out one carries over
    request.session["viewer"] = viewer.to_session()
    return redirect(landing(viewer))


@router.get("/")
async def home(request: Request) -> Response:
    viewer = Viewer.from_session(request.session.get("viewer"))
    return redirect(landing(viewer) if viewer else "/signin")


@router.get("/signin")
async def sign_in_page(request: Request, expired: Annotated[bool, Query()] = False) -> Response:
    settings = settings_of(request)
    return render(
        request,
        "signin.html",
        {
            "mode": settings.sign_in,
            "identities": settings.demo_identities,
            "agency": settings.local_agency,
            "expired": expired,
            "errors": {},
        },
    )


@router.post("/signin")
async def sign_in_locally(request: Request, form: FormDep) -> Response:
    settings = settings_of(request)
    if settings.sign_in != "local":
        return redirect("/signin")
    chosen = form.get("identity", "")
    practitioner = form.get("practitioner_id", "").strip()
    errors: dict[str, str] = {}
    if chosen == "practitioner":
        if not AGENCY_ID.match(practitioner.lower()) or not practitioner.isprintable():
            errors["practitioner_id"] = "Enter the practitioner's id, for example prac-pat"
        subject, roles, name = practitioner, [Role.PRACTITIONER.value], practitioner
    else:
        found = next((i for i in settings.demo_identities if i.subject == chosen), None)
        if found is None:
            errors["identity"] = "Choose who you are signing in as"
            subject, roles, name = "", [], ""
        else:
            subject, roles, name = found.subject, found.roles, found.label
    if errors:
        context = {
            "mode": settings.sign_in,
            "identities": settings.demo_identities,
            "agency": settings.local_agency,
            "expired": False,
            "errors": errors,
            "form": form,
        }
        return render(request, "signin.html", context, status_code=422)
    token = local_token(settings, subject, roles)
    viewer = Viewer(
        subject=subject,
        agency_id=settings.local_agency,
        roles=frozenset(Role(r) for r in roles),
        token=token,
        name=name,
    )
    return start_session(request, viewer)


@router.get("/signin/oidc")
async def sign_in_with_provider(request: Request) -> Response:
    client = request.app.state.oidc.create_client(PROVIDER)
    callback = str(request.url_for("oidc_callback"))
    response: Response = await client.authorize_redirect(request, callback)
    return response


@router.get("/signin/callback", name="oidc_callback")
async def oidc_callback(request: Request) -> Response:
    settings = settings_of(request)
    client = request.app.state.oidc.create_client(PROVIDER)
    try:
        token = await client.authorize_access_token(request)
        claims = dict(token.get("userinfo") or {})
        viewer = viewer_from_claims(settings, claims, str(token[settings.oidc_forward_token]))
    except (OAuthError, SignInRefused, KeyError) as error:
        problem = ApiProblem(401, "Sign-in did not succeed", str(error) or type(error).__name__)
        return render(request, "problem.html", {"problem": problem}, status_code=401)
    return start_session(request, viewer)


@router.post("/signout")
async def sign_out(request: Request, form: FormDep) -> Response:
    request.session.clear()
    return redirect("/signin")
