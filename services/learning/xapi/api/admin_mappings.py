"""`/xapi-mappings`: how an agency's Statements become learning evidence.

- `PUT /xapi-mappings/activities/{activity id, URL-encoded}`: this Activity is a module
  (an LMS course or cmi5 AU, with its moveOn), a module's assessment, or a concept.
- `PUT /xapi-mappings/actors/{practitioner_id}`: these LMS identities (account or mbox
  Agents) are this practitioner.
- `PUT /xapi-mappings/account-home-pages/{homePage, URL-encoded}`: account names on this
  LMS are the agency's practitioner ids (no per-person mapping needed).
- `GET /xapi-mappings/statements`: every stored Statement's outcome (`recorded`,
  `skipped` with the reason, `pending` with what it waits for), filtered by credential,
  outcome, reason, practitioner, Activity; keyset pages. `GET …/statements/{id}`: one.

Creating or changing an Activity mapping, an actor mapping or an account homePage
judges again the pending Statements it may resolve, in the same transaction (and so
does enrolling a practitioner, through the learning service's enrollment hook).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from services.learning.domain.catalog import Catalog
from services.learning.handlers.context import LEARNING
from shared.auth import Principal, allow
from shared.identifiers import PersonPath, PersonQuery
from shared.pagination import Page, PageRequest, build_page, keyset, page_request
from shared.problems import PROBLEM_RESPONSES, Conflict, NotFound, Unprocessable
from shared.service import Runtime, RuntimeDep

from ..adapters import mapping_store
from ..adapters.mapping_store import ListedOutcome, StatementOutcome
from ..agents import agent_identity
from ..cmi5 import MoveOn
from ..errors import RequestInvalid
from ..evidence import ActivityMapping, MappingKind
from ..evidence_recording import reevaluate_pending
from ..formats import is_iri, is_irl
from ..limits import MAX_INDEXED_BYTES
from ..structure import item
from .protocol import checked_agent

router = APIRouter(prefix="/xapi-mappings", tags=["xAPI mappings"], responses=PROBLEM_RESPONSES)

Manager = Annotated[Principal, allow("xapi.mappings.manage")]
Reader = Annotated[Principal, allow("xapi.mappings.read")]


class ActivityMappingBody(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"kind": "module", "target_id": "M3", "move_on": "CompletedAndPassed"},
                {"kind": "assessment", "target_id": "M3"},
                {"kind": "concept", "target_id": "M3.C2"},
            ]
        },
    )

    kind: MappingKind = Field(
        description=(
            "`module`: an LMS course or cmi5 AU teaching the module. Outside a cmi5 "
            "registration a `passed` or `failed` with a score is an attempt on its own "
            "(e.g. verb `http://adlnet.gov/expapi/verbs/passed`, result "
            '`{"score": {"scaled": 0.9}}`); an unscored `passed` or a `completed` is an '
            "attempt at 1.0 once moveOn is met by it (`result.completion: true` counts as "
            "completed) or with the learner's other `completed` / `passed` on the Activity "
            "within LEARNING_XAPI_COMBINE_WINDOW_HOURS (24 h by default). In a cmi5 "
            "registration (context.registration and the cmi5 category) the Statement that "
            "first meets moveOn is the attempt, with the registration's best score. "
            "`assessment`: every scored Statement is an attempt. `concept`: a review, rated "
            "from the scaled score (or good for passed/completed, again for failed)."
        )
    )
    target_id: str = Field(
        description="a module id (M1…) for module/assessment, a concept id for concept"
    )
    move_on: MoveOn | None = Field(
        default=None, description="cmi5 moveOn of a module's AU; CompletedAndPassed if absent"
    )


class ActivityMappingPublic(ActivityMappingBody):
    activity_id: str

    @classmethod
    def of(cls, mapping: ActivityMapping) -> ActivityMappingPublic:
        return cls(
            activity_id=mapping.activity_id,
            kind=mapping.kind,
            target_id=mapping.target_id,
            move_on=mapping.move_on,
        )


class ActorMappingBody(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "agents": [
                        {"account": {"homePage": "https://lms.example.org", "name": "u-1625378"}},
                        {"mbox": "mailto:ana.lopez@agency.example.org"},
                    ]
                }
            ]
        },
    )

    agents: list[dict[str, Any]] = Field(min_length=1, max_length=50, description="xAPI Agents")


class ActorMappingPublic(ActorMappingBody):
    practitioner_id: str


class StatementOutcomePublic(BaseModel):
    statement_id: UUID
    practitioner_id: str | None
    outcome: Literal["recorded", "skipped", "pending"]
    reason: str | None = Field(
        default=None,
        description="pending: `mapping`, `learner` or `partner` (what it waits for); "
        "skipped: `not-evidence`, `refused`, `not-an-activity` or `voided`",
    )
    detail: str
    record_id: UUID | None = Field(description="the attempt or review id it became")
    activity_id: str | None = None
    stored: datetime | None = None
    credential_key: str | None = None
    verb_id: str | None = None

    @classmethod
    def of(cls, found: StatementOutcome) -> StatementOutcomePublic:
        return cls(
            statement_id=found.statement_id,
            practitioner_id=found.practitioner_id,
            outcome=found.outcome,
            reason=found.reason_code,
            detail=found.detail,
            record_id=found.record_id,
            activity_id=found.activity_id,
        )

    @classmethod
    def listed(cls, found: ListedOutcome) -> StatementOutcomePublic:
        return cls.of(found.outcome).model_copy(
            update={
                "stored": found.stored,
                "credential_key": found.credential_key,
                "verb_id": found.verb_id,
            }
        )


Outcome = Literal["recorded", "skipped", "pending"]
Reason = Literal[
    "mapping", "learner", "partner", "not-evidence", "refused", "not-an-activity", "voided"
]


async def outcome_page(
    runtime: Runtime,
    agency_id: str,
    page: PageRequest,
    *,
    credential_key: str | None,
    outcome: Outcome | None,
    reason: Reason | None,
    practitioner_id: str | None,
    activity_id: str | None,
) -> Page[StatementOutcomePublic]:
    after = keyset(page, "datetime", "uuid")
    async with runtime.pool.acquire() as conn:
        rows = await mapping_store.list_outcomes(
            conn,
            agency_id,
            limit=page.limit + 1,
            after=after,
            credential_key=credential_key,
            outcome=outcome,
            reason_code=reason,
            practitioner_id=practitioner_id,
            activity_id=activity_id,
        )
    return build_page(
        [StatementOutcomePublic.listed(r) for r in rows],
        page.limit,
        lambda o: [o.stored.isoformat() if o.stored else None, str(o.statement_id)],
    )


def _checked(body: ActivityMappingBody, catalog: Catalog, activity_id: str) -> ActivityMapping:
    if not is_iri(activity_id):
        raise Unprocessable(f"{activity_id!r} is not an absolute IRI; URL-encode the Activity id")
    if len(activity_id.encode()) > MAX_INDEXED_BYTES:
        raise Unprocessable(f"the Activity id is longer than {MAX_INDEXED_BYTES} bytes")
    target = body.target_id
    if body.kind is MappingKind.CONCEPT:
        catalog.concept(target)  # raises the learning service's own 422
    else:
        by_assessment = {m.assessment.id: m.id for m in catalog.modules}
        target = by_assessment.get(target, target)
        catalog.module(target)
    if body.move_on is not None and body.kind is not MappingKind.MODULE:
        raise Unprocessable("move_on applies to kind 'module' only (a cmi5 AU)")
    move_on = body.move_on or (
        MoveOn.COMPLETED_AND_PASSED if body.kind is MappingKind.MODULE else None
    )
    return ActivityMapping(activity_id, body.kind, target, move_on)


@router.put("/activities/{activity_id:path}", summary="Map an Activity id to the catalog")
async def put_activity_mapping(
    activity_id: str,
    body: ActivityMappingBody,
    principal: Manager,
    runtime: RuntimeDep,
    response: Response,
) -> ActivityMappingPublic:
    mapping = _checked(body, LEARNING.of(runtime).catalogs.current, activity_id)
    async with runtime.store.transaction() as conn:
        created = await mapping_store.save_activity_mapping(conn, principal.agency_id, mapping)
        await reevaluate_pending(runtime, conn, principal.agency_id, activity_id=activity_id)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return ActivityMappingPublic.of(mapping)


@router.get("/activities", summary="The agency's Activity mappings")
async def list_activity_mappings(
    principal: Reader, runtime: RuntimeDep
) -> list[ActivityMappingPublic]:
    async with runtime.pool.acquire() as conn:
        found = await mapping_store.activity_mappings(conn, principal.agency_id)
    return [ActivityMappingPublic.of(m) for m in found.values()]


@router.get("/activities/{activity_id:path}", summary="One Activity mapping")
async def get_activity_mapping(
    activity_id: str, principal: Reader, runtime: RuntimeDep
) -> ActivityMappingPublic:
    async with runtime.pool.acquire() as conn:
        found = await mapping_store.activity_mappings(conn, principal.agency_id, [activity_id])
    if activity_id not in found:
        raise NotFound(f"Activity {activity_id!r} is not mapped in your agency")
    return ActivityMappingPublic.of(found[activity_id])


@router.delete(
    "/activities/{activity_id:path}", status_code=204, summary="Stop mapping an Activity"
)
async def delete_activity_mapping(
    activity_id: str, principal: Manager, runtime: RuntimeDep
) -> Response:
    async with runtime.pool.acquire() as conn:
        if not await mapping_store.delete_activity_mapping(conn, principal.agency_id, activity_id):
            raise NotFound(f"Activity {activity_id!r} is not mapped in your agency")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put("/actors/{practitioner_id}", summary="Set the LMS identities of a practitioner")
async def put_actor_mapping(
    practitioner_id: PersonPath,
    body: ActorMappingBody,
    principal: Manager,
    runtime: RuntimeDep,
) -> ActorMappingPublic:
    identities: dict[str, dict[str, Any]] = {}
    for index, agent in enumerate(body.agents):
        try:
            checked = checked_agent(agent, item("agents", index))
        except RequestInvalid as error:
            raise Unprocessable(error.detail) from error
        identity = agent_identity(checked)
        assert identity is not None
        if len(identity.key.encode()) > MAX_INDEXED_BYTES:
            raise Unprocessable(f"agents[{index}] is longer than {MAX_INDEXED_BYTES} bytes")
        identities[identity.key] = dict(checked)
    async with runtime.store.transaction() as conn:
        taken = await mapping_store.claimed_elsewhere(
            conn, principal.agency_id, practitioner_id, sorted(identities)
        )
        if taken:
            raise Conflict(
                f"identity {taken[0].identity_key} is already mapped to practitioner "
                f"{taken[0].practitioner_id!r}; remove it there first"
            )
        await mapping_store.replace_identities(
            conn, principal.agency_id, practitioner_id, sorted(identities.items())
        )
        await reevaluate_pending(
            runtime,
            conn,
            principal.agency_id,
            practitioner_id=practitioner_id,
            identity_keys=sorted(identities),
        )
    return ActorMappingPublic(practitioner_id=practitioner_id, agents=list(identities.values()))


@router.get("/actors", summary="Every practitioner's mapped LMS identities")
async def list_actor_mappings(principal: Reader, runtime: RuntimeDep) -> list[ActorMappingPublic]:
    async with runtime.pool.acquire() as conn:
        found = await mapping_store.identities_by_practitioner(conn, principal.agency_id)
    return [ActorMappingPublic(practitioner_id=p, agents=a) for p, a in found.items()]


@router.get("/actors/{practitioner_id}", summary="A practitioner's mapped LMS identities")
async def get_actor_mapping(
    practitioner_id: PersonPath, principal: Reader, runtime: RuntimeDep
) -> ActorMappingPublic:
    async with runtime.pool.acquire() as conn:
        found = await mapping_store.identities_by_practitioner(
            conn, principal.agency_id, practitioner_id
        )
    if practitioner_id not in found:
        raise NotFound(f"practitioner {practitioner_id!r} has no mapped LMS identity")
    return ActorMappingPublic(practitioner_id=practitioner_id, agents=found[practitioner_id])


@router.delete("/actors/{practitioner_id}", status_code=204, summary="Unmap a practitioner")
async def delete_actor_mapping(
    practitioner_id: PersonPath, principal: Manager, runtime: RuntimeDep
) -> Response:
    async with runtime.store.transaction() as conn:
        await mapping_store.replace_identities(conn, principal.agency_id, practitioner_id, [])
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put(
    "/account-home-pages/{home_page:path}",
    status_code=204,
    summary="Account names on this LMS homePage are practitioner ids",
)
async def put_home_page(home_page: str, principal: Manager, runtime: RuntimeDep) -> Response:
    if not is_irl(home_page) or len(home_page.encode()) > MAX_INDEXED_BYTES:
        raise Unprocessable(f"{home_page[:80]!r} is not an IRL (of at most 1024 bytes)")
    async with runtime.store.transaction() as conn:
        await mapping_store.add_account_home_page(conn, principal.agency_id, home_page)
        await reevaluate_pending(runtime, conn, principal.agency_id, home_page=home_page)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/account-home-pages", summary="homePages whose account names are practitioner ids")
async def list_home_pages(principal: Reader, runtime: RuntimeDep) -> list[str]:
    async with runtime.pool.acquire() as conn:
        return await mapping_store.account_home_pages(conn, principal.agency_id)


@router.delete("/account-home-pages/{home_page:path}", status_code=204, summary="Forget a homePage")
async def delete_home_page(home_page: str, principal: Manager, runtime: RuntimeDep) -> Response:
    async with runtime.pool.acquire() as conn:
        if not await mapping_store.remove_account_home_page(conn, principal.agency_id, home_page):
            raise NotFound(f"homePage {home_page!r} is not registered in your agency")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/statements", summary="Every stored Statement's outcome, oldest stored first")
async def list_statement_outcomes(
    principal: Reader,
    runtime: RuntimeDep,
    page: Annotated[PageRequest, Depends(page_request)],
    credential_key: Annotated[str | None, Query(description="the LMS credential")] = None,
    outcome: Annotated[Outcome | None, Query()] = None,
    reason: Annotated[Reason | None, Query(description="what it waits for, or why skipped")] = None,
    practitioner_id: PersonQuery = None,
    activity_id: Annotated[str | None, Query(description="the Activity id (the Object)")] = None,
) -> Page[StatementOutcomePublic]:
    return await outcome_page(
        runtime,
        principal.agency_id,
        page,
        credential_key=credential_key,
        outcome=outcome,
        reason=reason,
        practitioner_id=practitioner_id,
        activity_id=activity_id,
    )


@router.get("/statements/{statement_id}", summary="What a stored Statement became, or why not")
async def statement_outcome(
    statement_id: UUID, principal: Reader, runtime: RuntimeDep
) -> StatementOutcomePublic:
    async with runtime.pool.acquire() as conn:
        found = await mapping_store.find_outcome(conn, principal.agency_id, statement_id)
    if found is None:
        raise NotFound(f"statement {statement_id} is not stored in your agency")
    return StatementOutcomePublic.of(found)
