"""The seed competency framework and module catalog (catalog 2026.1)."""

from __future__ import annotations

import pytest

from services.learning.domain.catalog import (
    Assessment,
    Catalog,
    Competency,
    Concept,
    Module,
    WraparoundPhase,
)
from services.learning.domain.errors import UnknownConceptError, UnknownModuleError


def test_seed_catalog_is_version_2026_1(catalog: Catalog) -> None:
    assert catalog.version == "2026.1"


def test_framework_has_the_eight_competencies_with_their_phases(catalog: Catalog) -> None:
    assert [(c.id, c.name, c.phase.value, c.phase.label) for c in catalog.competencies] == [
        ("ENG", "Engagement and team preparation", 1, "Engagement"),
        ("STR", "Strengths and culture discovery", 1, "Engagement"),
        ("FAC", "Team meeting facilitation", 2, "Plan development"),
        ("NEED", "Needs-based planning and family vision", 2, "Plan development"),
        ("SAFE", "Safety and crisis planning", 2, "Plan development"),
        ("NAT", "Natural and community supports", 3, "Implementation"),
        ("MON", "Progress monitoring and plan adjustment", 3, "Implementation"),
        ("TRAN", "Transition planning", 4, "Transition"),
    ]


def test_six_core_modules_come_in_order(catalog: Catalog) -> None:
    assert [(m.id, m.order, m.title) for m in catalog.core_modules] == [
        ("M1", 1, "Wraparound principles and engagement"),
        ("M2", 2, "Strengths, culture and vision"),
        ("M3", 3, "Facilitating team meetings"),
        ("M4", 4, "Needs-based planning and safety"),
        ("M5", 5, "Natural supports and monitoring"),
        ("M6", 6, "Transition"),
    ]


def test_modules_together_cover_every_competency(catalog: Catalog) -> None:
    covered = {cid for m in catalog.modules for cid in m.competency_ids}
    assert covered == {c.id for c in catalog.competencies}


def test_each_module_teaches_three_to_six_described_concepts(catalog: Catalog) -> None:
    for module in catalog.modules:
        assert 3 <= len(module.concepts) <= 6, module.id
        for number, concept in enumerate(module.concepts, start=1):
            assert concept.id == f"{module.id}.C{number}"
            assert concept.title and concept.description.endswith(".")
            assert concept.competency_id in module.competency_ids


def test_each_assessment_defaults_to_a_mastery_score_of_0_80(catalog: Catalog) -> None:
    assert {m.assessment.id: m.assessment.mastery_score for m in catalog.modules} == {
        f"M{n}.A": 0.80 for n in range(1, 7)
    }


def test_previous_module_follows_catalog_order(catalog: Catalog) -> None:
    assert catalog.previous_module("M1") is None
    previous = catalog.previous_module("M4")
    assert previous is not None and previous.id == "M3"


def test_concept_lookup_finds_its_module(catalog: Catalog) -> None:
    assert catalog.concept("M4.C4").title == "Crisis plan versus safety plan"
    assert catalog.module_of_concept("M5.C1").id == "M5"


def test_unknown_module_error_lists_the_known_ones(catalog: Catalog) -> None:
    with pytest.raises(UnknownModuleError, match=r"M7.*M1, M2, M3, M4, M5, M6"):
        catalog.module("M7")


def test_unknown_concept_is_refused(catalog: Catalog) -> None:
    with pytest.raises(UnknownConceptError, match=r"M1\.C9"):
        catalog.concept("M1.C9")


def _module(concept_competency: str) -> Module:
    return Module(
        id="M1",
        order=1,
        title="Engagement",
        competency_ids=("ENG",),
        concepts=(
            Concept(id="M1.C1", title="t", description="d.", competency_id=concept_competency),
        ),
        assessment=Assessment(id="M1.A"),
    )


def test_catalog_refuses_a_concept_tagged_with_a_competency_its_module_does_not_cover() -> None:
    eng = Competency(id="ENG", name="Engagement", phase=WraparoundPhase.ENGAGEMENT)
    str_ = Competency(id="STR", name="Strengths", phase=WraparoundPhase.ENGAGEMENT)
    Catalog(version="t", competencies=(eng, str_), modules=(_module("ENG"),))
    with pytest.raises(ValueError, match="does not cover"):
        Catalog(version="t", competencies=(eng, str_), modules=(_module("STR"),))


def test_catalog_is_immutable(catalog: Catalog) -> None:
    with pytest.raises(ValueError, match="frozen"):
        catalog.version = "2027.1"  # type: ignore[misc]
