"""Page 6a, admin roster: register, change details, leave and return; revoke, reinstate."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from services.portal.domain import roster_forms as forms
from services.portal.domain.viewer import Viewer
from services.portal.entrypoints.web import ApisDep, FormDep, PageFor, redirect, render, today
from services.portal.handlers.admin import attempt
from shared.identifiers import PersonPath

router = APIRouter(tags=["admin"])
AdminViewer = Annotated[Viewer, Depends(PageFor("admin"))]


async def _roster_page(
    request: Request,
    apis: ApisDep,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    done: str | None = None,
    status_code: int = 200,
) -> Response:
    roster = await apis.certification.every("/practitioners")
    context = {
        "roster": roster,
        "errors": errors or {},
        "form": form or {"program_start": today().isoformat()},
        "roles": forms.PROGRAM_ROLES,
        "done": done,
    }
    return render(request, "admin_roster.html", context, status_code=status_code)


@router.get("/admin")
async def admin_roster(
    request: Request,
    viewer: AdminViewer,
    apis: ApisDep,
    done: Annotated[str | None, Query(max_length=128)] = None,
) -> Response:
    return await _roster_page(request, apis, done=done)


@router.post("/admin/practitioners")
async def register(request: Request, viewer: AdminViewer, apis: ApisDep, form: FormDep) -> Response:
    body, errors = forms.registration(form, today())
    if not errors:
        created, errors = await attempt(apis.certification.post("/practitioners", body))
        if created is not None:
            return redirect(f"/admin?done={created['practitioner_id']}")
    return await _roster_page(request, apis, errors=errors, form=form, status_code=422)


async def _manage_page(
    request: Request,
    apis: ApisDep,
    practitioner_id: str,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    done: str | None = None,
    status_code: int = 200,
) -> Response:
    entry = await apis.certification.get(f"/practitioners/{practitioner_id}")
    context = {
        "entry": entry,
        "errors": errors or {},
        "form": form or {},
        "roles": forms.PROGRAM_ROLES,
        "done": done,
    }
    return render(request, "admin_practitioner.html", context, status_code=status_code)


@router.get("/admin/practitioners/{practitioner_id}")
async def manage(
    request: Request,
    practitioner_id: PersonPath,
    viewer: AdminViewer,
    apis: ApisDep,
    done: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    return await _manage_page(request, apis, practitioner_id, done=done)


ACTIONS: dict[str, tuple[str, str]] = {
    # portal action → (certification path below the practitioner, what the page says)
    "changes": ("changes", "Details changed"),
    "leaving": ("leaving", "Leaving recorded"),
    "return": ("return", "Return recorded"),
    "revocations": ("revocations", "Certification revoked"),
    "reinstatements": ("reinstatements", "Certification reinstated"),
}


@router.post("/admin/practitioners/{practitioner_id}/{action}")
async def act(
    request: Request,
    practitioner_id: PersonPath,
    action: str,
    viewer: AdminViewer,
    apis: ApisDep,
    form: FormDep,
) -> Response:
    if action not in ACTIONS:
        return render(request, "not_found.html", {"problem": None}, status_code=404)
    path = f"/practitioners/{practitioner_id}/{ACTIONS[action][0]}"
    # the page holds several forms: their fields are named "<action>:<field>"
    form = {key.removeprefix(f"{action}:"): value for key, value in form.items()}
    body: dict[str, Any]
    if action == "changes":
        current = await apis.certification.get(f"/practitioners/{practitioner_id}")
        body, errors = forms.details_change(form, current, today())
    elif action in ("leaving", "return"):
        body, errors = forms.dated(form, today(), reason=action == "leaving")
    else:
        body, errors = forms.admin_decision(form, today())
    if not errors:
        done, errors = await attempt(apis.certification.post(path, body))
        if done is not None or not errors:
            return redirect(f"/admin/practitioners/{practitioner_id}?done={action}")
    errors = {f"{action}:{k}" if k != "_form" else k: v for k, v in errors.items()}
    return await _manage_page(
        request,
        apis,
        practitioner_id,
        errors=errors,
        form=form | {"action": action},
        status_code=422,
    )
