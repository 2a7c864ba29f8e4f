"""`GET /xapi-outcomes`: what the LMS partner's own Statements became, with its xAPI credential.

HTTP Basic with the LMS credential (as for `/xapi/`); the list holds the Statements
stored with that credential only, oldest stored first, in keyset pages, filtered like
the admin's `GET /xapi-mappings/statements`: `recorded`, `skipped` with the reason, or
`pending` with what it waits for (a mapping, the learner, a partner Statement).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from shared.identifiers import PersonQuery
from shared.pagination import Page, PageRequest, page_request
from shared.problems import PROBLEM_RESPONSES, Unauthorized

from .admin_mappings import Outcome, Reason, StatementOutcomePublic, outcome_page
from .auth import NotAuthenticated, authenticate
from .lrs import lrs_of_request
from .protocol import XapiRequest

router = APIRouter(prefix="/xapi-outcomes", tags=["xAPI mappings"], responses=PROBLEM_RESPONSES)


@router.get("", summary="What this LMS credential's Statements became (HTTP Basic)")
async def own_statement_outcomes(
    request: Request,
    page: Annotated[PageRequest, Depends(page_request)],
    outcome: Annotated[Outcome | None, Query()] = None,
    reason: Annotated[Reason | None, Query(description="what it waits for, or why skipped")] = None,
    practitioner_id: PersonQuery = None,
    activity_id: Annotated[str | None, Query(description="the Activity id (the Object)")] = None,
) -> Page[StatementOutcomePublic]:
    lrs = lrs_of_request(request)
    headers = {k.lower(): v for k, v in request.headers.items()}
    try:
        client = await authenticate(lrs, XapiRequest("GET", (), headers, b""))
    except NotAuthenticated as error:
        raise Unauthorized(error.detail) from error
    return await outcome_page(
        request.app.state.runtime,
        client.agency_id,
        page,
        credential_key=client.key,
        outcome=outcome,
        reason=reason,
        practitioner_id=practitioner_id,
        activity_id=activity_id,
    )
