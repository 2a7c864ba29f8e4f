"""The competency framework and module catalog, as versioned data.

A catalog is data, not code: an agency can adopt a newer version without a release.
Competencies are grouped by Wraparound phase; modules come in a fixed order (the
certification policy requires each to be mastered no earlier than the one before);
each module covers some competencies, teaches a handful of concepts — the units that
get a spaced-review schedule — and ends in one assessment with a mastery score.

The seed content lives in :mod:`services.learning.domain.seed_catalog`.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any, Self

from pydantic import Field, PrivateAttr, model_validator

from services.learning.domain.errors import (
    UnknownCompetencyError,
    UnknownConceptError,
    UnknownModuleError,
)
from services.learning.domain.value_object import FrozenModel

DEFAULT_MASTERY_SCORE = 0.80


class WraparoundPhase(IntEnum):
    """The four phases of the Wraparound process (NWI)."""

    ENGAGEMENT = 1
    PLAN_DEVELOPMENT = 2
    IMPLEMENTATION = 3
    TRANSITION = 4

    @property
    def label(self) -> str:
        return {
            WraparoundPhase.ENGAGEMENT: "Engagement",
            WraparoundPhase.PLAN_DEVELOPMENT: "Plan development",
            WraparoundPhase.IMPLEMENTATION: "Implementation",
            WraparoundPhase.TRANSITION: "Transition",
        }[self]


class Competency(FrozenModel):
    id: str = Field(pattern=r"^[A-Z]{2,8}$")
    name: str
    phase: WraparoundPhase


class Concept(FrozenModel):
    """One idea a practitioner must keep in memory; it gets its own review card."""

    id: str = Field(pattern=r"^M\d+\.C\d+$")
    title: str
    description: str
    competency_id: str


class Assessment(FrozenModel):
    id: str
    # gt=0: a zero bar would let an empty attempt master the module.
    mastery_score: float = Field(default=DEFAULT_MASTERY_SCORE, gt=0.0, le=1.0)


class Module(FrozenModel):
    id: str = Field(pattern=r"^M\d+$")
    order: int = Field(ge=1)
    title: str
    competency_ids: tuple[str, ...] = Field(min_length=1)
    concepts: tuple[Concept, ...] = Field(min_length=1)
    assessment: Assessment
    # Core modules count toward certification; an agency may add elective ones.
    core: bool = True

    @property
    def concept_ids(self) -> tuple[str, ...]:
        return tuple(concept.id for concept in self.concepts)


class Catalog(FrozenModel):
    """One version of the framework: competencies and modules, in module order."""

    version: str = Field(min_length=1)
    competencies: tuple[Competency, ...]
    modules: tuple[Module, ...]

    _modules_by_id: dict[str, Module] = PrivateAttr(default_factory=dict)
    _concepts_by_id: dict[str, tuple[Concept, Module]] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _check_references(self) -> Self:
        competency_ids = [c.id for c in self.competencies]
        _require_unique("competency id", competency_ids)
        _require_unique("module id", [m.id for m in self.modules])
        _require_unique("module order", [m.order for m in self.modules])
        _require_unique("concept id", [c.id for m in self.modules for c in m.concepts])
        _require_unique("assessment id", [m.assessment.id for m in self.modules])
        if [m.order for m in self.modules] != sorted(m.order for m in self.modules):
            raise ValueError("modules must be listed in their order")
        for module in self.modules:
            for competency_id in module.competency_ids:
                if competency_id not in competency_ids:
                    raise ValueError(f"{module.id} covers unknown competency {competency_id}")
            for concept in module.concepts:
                # A concept's id names its module, so events stay readable on their own.
                if not concept.id.startswith(f"{module.id}.C"):
                    raise ValueError(f"concept {concept.id} must be prefixed {module.id}.C")
                if concept.competency_id not in module.competency_ids:
                    raise ValueError(
                        f"concept {concept.id} is tagged {concept.competency_id}, "
                        f"which {module.id} does not cover"
                    )
        return self

    def model_post_init(self, context: Any, /) -> None:
        self._modules_by_id = {m.id: m for m in self.modules}
        self._concepts_by_id = {c.id: (c, m) for m in self.modules for c in m.concepts}

    def module(self, module_id: str) -> Module:
        try:
            return self._modules_by_id[module_id]
        except KeyError:
            raise UnknownModuleError(module_id, self.version, self._modules_by_id) from None

    def previous_module(self, module_id: str) -> Module | None:
        """The module just before this one in order; ``None`` for the first."""
        index = self.modules.index(self.module(module_id))
        return self.modules[index - 1] if index > 0 else None

    def concept(self, concept_id: str) -> Concept:
        return self._concept_entry(concept_id)[0]

    def module_of_concept(self, concept_id: str) -> Module:
        return self._concept_entry(concept_id)[1]

    def competency(self, competency_id: str) -> Competency:
        for competency in self.competencies:
            if competency.id == competency_id:
                return competency
        raise UnknownCompetencyError(competency_id, self.version, (c.id for c in self.competencies))

    @property
    def core_modules(self) -> tuple[Module, ...]:
        return tuple(m for m in self.modules if m.core)

    @property
    def concepts(self) -> tuple[Concept, ...]:
        return tuple(c for m in self.modules for c in m.concepts)

    def _concept_entry(self, concept_id: str) -> tuple[Concept, Module]:
        try:
            return self._concepts_by_id[concept_id]
        except KeyError:
            raise UnknownConceptError(concept_id, self.version) from None


def _require_unique(what: str, values: list[Any]) -> None:
    seen: set[Any] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"duplicate {what}: {value!r}")
        seen.add(value)
