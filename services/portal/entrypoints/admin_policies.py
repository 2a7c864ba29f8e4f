"""Page 6b, admin policies: versions, what adopting one would change, adoption."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from services.portal.domain.viewer import Viewer
from services.portal.entrypoints.web import ApisDep, FormDep, PageFor, redirect, render
from services.portal.handlers.admin import attempt, load_policies, what_if

router = APIRouter(tags=["admin"])
AdminViewer = Annotated[Viewer, Depends(PageFor("admin"))]
PolicyId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")]


@router.get("/admin/policies")
async def policies(
    request: Request,
    viewer: AdminViewer,
    apis: ApisDep,
    adopted: Annotated[str | None, Query(max_length=220)] = None,
) -> Response:
    data = await load_policies(apis)
    return render(request, "admin_policies.html", {**data, "just_adopted": adopted, "errors": {}})


@router.get("/admin/policies/{policy_id}/{version}")
async def policy_what_if(
    request: Request,
    policy_id: PolicyId,
    version: Annotated[int, Path(ge=1)],
    viewer: AdminViewer,
    apis: ApisDep,
) -> Response:
    data = await what_if(apis, policy_id, version)
    return render(request, "admin_what_if.html", {**data, "errors": {}})


@router.post("/admin/policies/adopt")
async def adopt(request: Request, viewer: AdminViewer, apis: ApisDep, form: FormDep) -> Response:
    policy_id = form.get("policy_id", "")
    version = form.get("policy_version", "")
    if not version.isdigit():
        return redirect("/admin/policies")
    body = {"policy_id": policy_id, "policy_version": int(version)}
    adopted, errors = await attempt(apis.certification.post("/policies/adoptions", body))
    if adopted is not None:
        return redirect(f"/admin/policies?adopted={policy_id} version {version}")
    data = await what_if(apis, policy_id, int(version))
    return render(request, "admin_what_if.html", {**data, "errors": errors}, status_code=422)
