"""Page 4, observe: record an observation with the form the instrument defines."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from services.portal.domain.observation_form import RATINGS, indicator_field
from services.portal.domain.viewer import Viewer
from services.portal.entrypoints.web import ApisDep, FormDep, PageFor, redirect, render, today
from services.portal.handlers.observe import (
    instrument_version,
    load_observer_home,
    record_observation,
)

router = APIRouter(tags=["observe"])
ObserverViewer = Annotated[Viewer, Depends(PageFor("observe"))]
Key = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")]
Version = Annotated[int, Path(ge=1, le=100000)]


@router.get("/observe")
async def observer_home(
    request: Request,
    viewer: ObserverViewer,
    apis: ApisDep,
    recorded: Annotated[str | None, Query()] = None,
) -> Response:
    data = await load_observer_home(apis, viewer.subject, today())
    just = None
    if recorded:
        just = next((o for o in data["mine"] if o["id"] == recorded), None)
    return render(request, "observe.html", {**data, "recorded": just})


def _form_context(
    instrument: dict[str, object], form: dict[str, str], errors: dict[str, str]
) -> dict[str, object]:
    return {
        "instrument": instrument,
        "form": form,
        "errors": errors,
        "ratings": RATINGS,
        "field": indicator_field,
    }


@router.get("/observe/{key}/{version}")
async def observation_form(
    request: Request,
    key: Key,
    version: Version,
    viewer: ObserverViewer,
    apis: ApisDep,
    practitioner_id: Annotated[str, Query(max_length=128)] = "",
    meeting_date: Annotated[str, Query(max_length=10)] = "",
    co_observation_of: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    instrument = await instrument_version(apis, key, version)
    form = {
        "observation_id": str(uuid.uuid4()),
        "practitioner_id": practitioner_id,
        "meeting_date": meeting_date or today().isoformat(),
        "co_observation_of": co_observation_of,
    }
    return render(request, "observe_form.html", _form_context(instrument, form, {}))


@router.post("/observe/{key}/{version}")
async def record(
    request: Request,
    key: Key,
    version: Version,
    viewer: ObserverViewer,
    apis: ApisDep,
    form: FormDep,
) -> Response:
    instrument = await instrument_version(apis, key, version)
    recorded, errors = await record_observation(apis, instrument, form, today())
    if recorded is None:
        context = _form_context(instrument, form, errors)
        return render(request, "observe_form.html", context, status_code=422)
    return redirect(f"/observe?recorded={recorded['id']}")
