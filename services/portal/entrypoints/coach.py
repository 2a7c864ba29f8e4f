"""Page 5, coach: log a session with its components, rate skills."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from services.portal.domain import coaching_forms as forms
from services.portal.domain.viewer import Viewer
from services.portal.entrypoints.web import (
    ApisDep,
    FormDep,
    PageFor,
    form_lists,
    redirect,
    render,
    today,
)
from services.portal.handlers.coach import load_coach_home, send

router = APIRouter(tags=["coach"])
CoachViewer = Annotated[Viewer, Depends(PageFor("coach"))]


async def _page(
    request: Request,
    viewer: Viewer,
    apis: ApisDep,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    chosen: dict[str, list[str]] | None = None,
    done: str | None = None,
    status_code: int = 200,
) -> Response:
    data = await load_coach_home(apis, viewer)
    context = {
        **data,
        "errors": errors or {},
        "form": form
        or {
            "held_on": today().isoformat(),
            "rated_on": today().isoformat(),
            "duration_minutes": "60",
        },
        "chosen": chosen or {"components": [], "competencies": []},
        "done": done,
        "modalities": forms.MODALITIES,
        "components": forms.COMPONENTS,
        "competencies": forms.COMPETENCIES,
        "skill_levels": forms.SKILL_LEVELS,
        "new_id": str(uuid.uuid4()),
    }
    return render(request, "coach.html", context, status_code=status_code)


@router.get("/coach")
async def coach_home(
    request: Request,
    viewer: CoachViewer,
    apis: ApisDep,
    done: Annotated[str | None, Query(pattern="^(session|rating)$")] = None,
) -> Response:
    return await _page(request, viewer, apis, done=done)


@router.post("/coach/sessions")
async def log_session(
    request: Request, viewer: CoachViewer, apis: ApisDep, form: FormDep
) -> Response:
    chosen = await form_lists(request, "components", "competencies")
    errors = forms.session_errors(form, chosen["components"], today())
    if not errors:
        body = forms.session_body(
            form,
            chosen["components"],
            chosen["competencies"],
            form.get("record_id") or str(uuid.uuid4()),
        )
        created, errors = await send(apis.coaching.post("/sessions", body))
        if created is not None:
            return redirect("/coach?done=session")
    return await _page(
        request, viewer, apis, errors=errors, form=form, chosen=chosen, status_code=422
    )


@router.post("/coach/ratings")
async def rate_skill(
    request: Request, viewer: CoachViewer, apis: ApisDep, form: FormDep
) -> Response:
    errors = forms.rating_errors(form, today())
    if not errors:
        body = forms.rating_body(form, form.get("record_id") or str(uuid.uuid4()))
        created, errors = await send(apis.coaching.post("/ratings", body))
        if created is not None:
            return redirect("/coach?done=rating")
    return await _page(request, viewer, apis, errors=errors, form=form, status_code=422)
