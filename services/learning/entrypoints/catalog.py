"""GET the competency framework and module catalog (any version; the current by default)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict

from services.learning.domain.catalog import Catalog, Module
from services.learning.handlers.context import LEARNING
from shared.auth import Principal, allow
from shared.pagination import Page, PageRequest, page_of_sorted, page_request
from shared.problems import PROBLEM_RESPONSES, NotFound
from shared.service import Runtime, RuntimeDep

router = APIRouter(prefix="/catalog", tags=["catalog"], responses=PROBLEM_RESPONSES)

Reader = Annotated[Principal, allow("catalog.read")]
Paging = Annotated[PageRequest, Depends(page_request)]
VersionQuery = Annotated[
    str | None, Query(description="catalog version; the current one if absent")
]


class CatalogVersion(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"version": "2026.1", "current": True, "competencies": 8, "modules": 6}]
        }
    )

    version: str
    current: bool
    competencies: int
    modules: int


class CatalogCompetency(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "FAC",
                    "name": "Team meeting facilitation",
                    "phase": 2,
                    "phase_name": "Plan development",
                }
            ]
        }
    )

    id: str
    name: str
    phase: int
    phase_name: str


class CatalogConcept(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "M1.C3",
                    "module_id": "M1",
                    "competency_id": "ENG",
                    "title": "Family voice and choice",
                    "description": "The family's and youth's perspectives are sought first…",
                }
            ]
        }
    )

    id: str
    module_id: str
    competency_id: str
    title: str
    description: str


class CatalogAssessment(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"id": "M1.A", "module_id": "M1", "mastery_score": 0.8}]}
    )

    id: str
    module_id: str
    mastery_score: float


class CatalogModule(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "M1",
                    "order": 1,
                    "title": "Wraparound principles and engagement",
                    "core": True,
                    "competency_ids": ["ENG"],
                    "concept_ids": ["M1.C1", "M1.C2", "M1.C3", "M1.C4"],
                    "assessment": {"id": "M1.A", "module_id": "M1", "mastery_score": 0.8},
                }
            ]
        }
    )

    id: str
    order: int
    title: str
    core: bool
    competency_ids: list[str]
    concept_ids: list[str]
    assessment: CatalogAssessment


def _catalog(runtime: Runtime, version: str | None) -> Catalog:
    catalogs = LEARNING.of(runtime).catalogs
    return catalogs.get(version) if version else catalogs.current


def _catalog_module(module: Module) -> CatalogModule:
    return CatalogModule(
        id=module.id,
        order=module.order,
        title=module.title,
        core=module.core,
        competency_ids=list(module.competency_ids),
        concept_ids=list(module.concept_ids),
        assessment=_catalog_assessment(module),
    )


def _catalog_assessment(module: Module) -> CatalogAssessment:
    return CatalogAssessment(
        id=module.assessment.id,
        module_id=module.id,
        mastery_score=module.assessment.mastery_score,
    )


@router.get("/versions", summary="Catalog versions", response_model=Page[CatalogVersion])
async def list_versions(_: Reader, runtime: RuntimeDep, page: Paging) -> Page[CatalogVersion]:
    catalogs = LEARNING.of(runtime).catalogs
    views = [
        CatalogVersion(
            version=v,
            current=v == catalogs.current_version,
            competencies=len(catalogs.get(v).competencies),
            modules=len(catalogs.get(v).modules),
        )
        for v in catalogs.versions
    ]
    return page_of_sorted(views, page, lambda v: [v.version])


@router.get(
    "/competencies", summary="The competency framework", response_model=Page[CatalogCompetency]
)
async def list_competencies(
    _: Reader, runtime: RuntimeDep, page: Paging, catalog_version: VersionQuery = None
) -> Page[CatalogCompetency]:
    catalog = _catalog(runtime, catalog_version)
    views = [
        CatalogCompetency(id=c.id, name=c.name, phase=int(c.phase), phase_name=c.phase.label)
        for c in catalog.competencies
    ]
    position = {view.id: index for index, view in enumerate(views)}  # framework order
    return page_of_sorted(views, page, lambda c: [position[c.id]])


@router.get("/modules", summary="Modules, in order", response_model=Page[CatalogModule])
async def list_modules(
    _: Reader, runtime: RuntimeDep, page: Paging, catalog_version: VersionQuery = None
) -> Page[CatalogModule]:
    views = [_catalog_module(m) for m in _catalog(runtime, catalog_version).modules]
    return page_of_sorted(views, page, lambda m: [m.order])


@router.get("/modules/{module_id}", summary="One module", response_model=CatalogModule)
async def get_module(
    _: Reader, runtime: RuntimeDep, module_id: str, catalog_version: VersionQuery = None
) -> CatalogModule:
    catalog = _catalog(runtime, catalog_version)
    if module_id not in {m.id for m in catalog.modules}:
        raise NotFound(
            f"no module {module_id!r} in catalog {catalog.version}; see /catalog/modules"
        )
    return _catalog_module(catalog.module(module_id))


@router.get("/concepts", summary="Concepts, in module order", response_model=Page[CatalogConcept])
async def list_concepts(
    _: Reader,
    runtime: RuntimeDep,
    page: Paging,
    catalog_version: VersionQuery = None,
    module_id: Annotated[str | None, Query(description="only this module's concepts")] = None,
    competency_id: Annotated[str | None, Query(description="only this competency's")] = None,
) -> Page[CatalogConcept]:
    catalog = _catalog(runtime, catalog_version)
    views = [
        CatalogConcept(
            id=c.id,
            module_id=m.id,
            competency_id=c.competency_id,
            title=c.title,
            description=c.description,
        )
        for m in catalog.modules
        for c in m.concepts
        if (module_id is None or m.id == module_id)
        and (competency_id is None or c.competency_id == competency_id)
    ]
    position = {view.id: index for index, view in enumerate(views)}  # module order
    return page_of_sorted(views, page, lambda c: [position[c.id]])


@router.get(
    "/assessments", summary="Each module's assessment", response_model=Page[CatalogAssessment]
)
async def list_assessments(
    _: Reader, runtime: RuntimeDep, page: Paging, catalog_version: VersionQuery = None
) -> Page[CatalogAssessment]:
    modules = _catalog(runtime, catalog_version).modules
    order = {m.id: m.order for m in modules}
    views = [_catalog_assessment(m) for m in modules]
    return page_of_sorted(views, page, lambda a: [order[a.module_id]])
