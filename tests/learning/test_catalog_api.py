"""The seeded catalog: eight competencies, six core modules in order, their concepts."""

from __future__ import annotations

from tests.learning.learning_client import LearningApi


async def test_the_seeded_framework_has_eight_competencies_by_phase(learning: LearningApi) -> None:
    response = await learning.get("/catalog/competencies", role="coach")

    competencies = response.json()["items"]
    assert [c["id"] for c in competencies] == [
        "ENG", "STR", "FAC", "NEED", "SAFE", "NAT", "MON", "TRAN"
    ]  # fmt: skip
    assert [c["phase"] for c in competencies] == [1, 1, 2, 2, 2, 3, 3, 4]
    assert competencies[-1]["phase_name"] == "Transition"


async def test_six_core_modules_come_in_order_each_with_its_assessment(
    learning: LearningApi,
) -> None:
    modules = (await learning.get("/catalog/modules")).json()["items"]
    assessments = (await learning.get("/catalog/assessments")).json()["items"]

    assert [(m["id"], m["order"], m["core"]) for m in modules] == [
        (f"M{n}", n, True) for n in range(1, 7)
    ]
    assert modules[0]["title"] == "Wraparound principles and engagement"
    assert [a["id"] for a in assessments] == [f"M{n}.A" for n in range(1, 7)]
    assert {a["mastery_score"] for a in assessments} == {0.8}


async def test_concepts_are_listed_per_module_and_competency_in_pages(
    learning: LearningApi,
) -> None:
    first = (await learning.get("/catalog/concepts", limit=10)).json()
    second = (await learning.get("/catalog/concepts", limit=50, cursor=first["next_cursor"])).json()
    of_m3 = (await learning.get("/catalog/concepts", module_id="M3")).json()["items"]
    safety = (await learning.get("/catalog/concepts", competency_id="SAFE")).json()["items"]
    module = (await learning.get("/catalog/modules/M3")).json()

    ids = [c["id"] for c in first["items"] + second["items"]]
    assert ids[:6] == ["M1.C1", "M1.C2", "M1.C3", "M1.C4", "M1.C5", "M2.C1"]
    assert len(ids) == len(set(ids)) and second["next_cursor"] is None
    assert [c["id"] for c in of_m3] == module["concept_ids"]
    assert {c["module_id"] for c in safety} == {"M4"}


async def test_an_unknown_module_or_version_is_a_problem(learning: LearningApi) -> None:
    missing = await learning.get("/catalog/modules/M9")
    old = await learning.get("/catalog/modules", catalog_version="1999.1")
    versions = (await learning.get("/catalog/versions")).json()["items"]

    assert missing.status_code == 404 and "/catalog/modules" in missing.json()["detail"]
    assert old.status_code == 422 and "2026.1" in old.json()["detail"]
    assert versions == [{"version": "2026.1", "current": True, "competencies": 8, "modules": 6}]


async def test_the_openapi_document_shows_examples_for_requests_and_responses(
    learning: LearningApi,
) -> None:
    schemas = (await learning.client.get("/openapi.json")).json()["components"]["schemas"]

    for name in ("EnrollPractitioner", "RecordAttempt", "RecordReview", "TeamRecord",
                 "AttemptRecord", "ReviewRecord", "DueReview", "TeamVisibilityReport",
                 "CatalogModule", "ProgressReport", "PractitionerVisibilityReport"):  # fmt: skip
        assert schemas[name].get("examples"), f"{name} has no example"
