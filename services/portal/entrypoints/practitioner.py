"""Page 3, one practitioner: each requirement met or not and why, with its evidence."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from services.portal.domain.practitioner import (
    STATUS_LABELS,
    evidence_section,
    fidelity_series,
    page_records,
    reason_parts,
    timeline_series,
)
from services.portal.domain.viewer import Viewer
from services.portal.entrypoints.web import ApisDep, PageFor, PageForbidden, render, today
from services.portal.handlers.practitioner import load_practitioner, load_state
from services.portal.permissions import reads_agency
from shared.identifiers import PersonPath

router = APIRouter(tags=["practitioner"])
PractitionerViewer = Annotated[Viewer, Depends(PageFor("practitioner"))]


def own_or_agency(viewer: Viewer, practitioner_id: str) -> None:
    """A practitioner sees only their own page (the services refuse the rest too)."""
    if not reads_agency(viewer.roles) and viewer.subject != practitioner_id:
        raise PageForbidden("you can see only your own page")


def as_of_day(as_of: Annotated[str | None, Query()] = None) -> tuple[date, str | None]:
    """The chosen day (today if none or unreadable), and what to tell about a bad one."""
    day = today()
    if not as_of:
        return day, None
    try:
        chosen = date.fromisoformat(as_of)
    except ValueError:
        return day, f"“{as_of}” is not a date; showing today"
    if chosen > day:
        return day, "the as-of date cannot be in the future; showing today"
    return chosen, None


AsOfDay = Annotated[tuple[date, str | None], Depends(as_of_day)]


@router.get("/practitioners/{practitioner_id}")
async def practitioner_page(
    request: Request,
    practitioner_id: PersonPath,
    viewer: PractitionerViewer,
    apis: ApisDep,
    chosen: AsOfDay,
) -> Response:
    own_or_agency(viewer, practitioner_id)
    as_of, as_of_error = chosen
    data = await load_practitioner(apis, practitioner_id, as_of)
    state = data["state"].value
    listed = [
        (data["observations"].value or {}).get("items"),
        (data["sessions"].value or {}).get("items"),
        (data["skills"].value or {}).get("levels"),
    ]
    context = {
        **data,
        "records": page_records(*listed),
        "reason_parts": reason_parts,
        "practitioner_id": practitioner_id,
        "as_of": as_of,
        "as_of_error": as_of_error,
        "evidence_section": evidence_section,
        "timeline": {
            "datasets": timeline_series(
                data["transitions"].value or [], (state or {}).get("levels", []), as_of
            ),
            "labels": STATUS_LABELS,
        },
        "fidelity": fidelity_series(data["trend"].value),
    }
    return render(request, "practitioner.html", context)


@router.get("/practitioners/{practitioner_id}/certification")
async def certification_fragment(
    request: Request,
    practitioner_id: PersonPath,
    viewer: PractitionerViewer,
    apis: ApisDep,
    chosen: AsOfDay,
) -> Response:
    """The requirements section alone, for the as-of picker (htmx swaps it in)."""
    own_or_agency(viewer, practitioner_id)
    as_of, as_of_error = chosen
    state, observations = await load_state(apis, practitioner_id, as_of)
    context = {
        "state": state,
        "records": page_records(observations),
        "reason_parts": reason_parts,
        "practitioner_id": practitioner_id,
        "as_of": as_of,
        "as_of_error": as_of_error,
        "evidence_section": evidence_section,
    }
    return render(request, "_certification.html", context)
