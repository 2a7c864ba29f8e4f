"""Page 6c, admin LMS access: xAPI credentials (create, rotate, revoke) and activity mappings."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from services.portal.domain.viewer import Viewer
from services.portal.entrypoints.web import ApisDep, FormDep, PageFor, render
from services.portal.handlers.admin import attempt, load_lms

router = APIRouter(tags=["admin"])
AdminViewer = Annotated[Viewer, Depends(PageFor("admin"))]
CredentialKey = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9._-]{2,63}$")]
MAPPING_KINDS = (("module", "Module"), ("assessment", "Assessment"), ("concept", "Concept"))


async def _page(
    request: Request,
    apis: ApisDep,
    *,
    errors: dict[str, str] | None = None,
    issued: dict[str, Any] | None = None,
    done: str | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    data = await load_lms(apis)
    context = {
        **data,
        "errors": errors or {},
        "issued": issued,
        "done": done,
        "form": form or {},
        "kinds": MAPPING_KINDS,
    }
    return render(request, "admin_lms.html", context, status_code=status_code)


@router.get("/admin/lms")
async def lms(request: Request, viewer: AdminViewer, apis: ApisDep) -> Response:
    return await _page(request, apis)


@router.post("/admin/lms/credentials")
async def create_credential(
    request: Request, viewer: AdminViewer, apis: ApisDep, form: FormDep
) -> Response:
    name = form.get("partner_name", "").strip()
    if not name:
        errors = {"partner_name": "Enter the LMS partner's name"}
        return await _page(request, apis, errors=errors, form=form, status_code=422)
    body = {"partner_name": name, "key": form.get("key", "").strip() or None}
    issued, errors = await attempt(apis.learning.post("/xapi-credentials", body))
    return await _page(
        request, apis, errors=errors, issued=issued, form=form, status_code=422 if errors else 200
    )


@router.post("/admin/lms/credentials/{key}/rotate")
async def rotate(
    request: Request, key: CredentialKey, viewer: AdminViewer, apis: ApisDep, form: FormDep
) -> Response:
    issued, errors = await attempt(apis.learning.post(f"/xapi-credentials/{key}/rotate", None))
    return await _page(request, apis, errors=errors, issued=issued)


@router.post("/admin/lms/credentials/{key}/revoke")
async def revoke(
    request: Request, key: CredentialKey, viewer: AdminViewer, apis: ApisDep, form: FormDep
) -> Response:
    _, errors = await attempt(apis.learning.delete(f"/xapi-credentials/{key}"))
    return await _page(
        request, apis, errors=errors, done=None if errors else f"Credential {key} revoked"
    )


@router.post("/admin/lms/activities")
async def map_activity(
    request: Request, viewer: AdminViewer, apis: ApisDep, form: FormDep
) -> Response:
    activity = form.get("activity_id", "").strip()
    errors: dict[str, str] = {}
    if not activity:
        errors["activity_id"] = (
            "Enter the LMS activity's IRI, for example https://lms.example/course/m1"
        )
    if form.get("kind") not in {k for k, _ in MAPPING_KINDS}:
        errors["kind"] = "Choose what the activity is"
    if not form.get("target_id", "").strip():
        errors["target_id"] = "Enter the module (M1…) or concept id it maps to"
    if not errors:
        body = {"kind": form["kind"], "target_id": form["target_id"].strip()}
        path = f"/xapi-mappings/activities/{quote(activity, safe='')}"
        _, errors = await attempt(apis.learning.put(path, body))
    if errors:
        return await _page(request, apis, errors=errors, form=form, status_code=422)
    return await _page(request, apis, done=f"Activity {activity} mapped")
