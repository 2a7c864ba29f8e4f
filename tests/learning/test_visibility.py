"""Where learning is strong, shaky, missing or lapsed — per practitioner and per team."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from services.learning.domain.seed_catalog import SEED_CATALOG
from tests.learning.api_builders import CORE_MODULES, T0
from tests.learning.learning_client import LearningApi

AS_OF = T0 + timedelta(days=60)
HOUR = timedelta(hours=1)
CONCEPTS = len(SEED_CATALOG.concepts)
ENG = sum(1 for c in SEED_CATALOG.concepts if c.competency_id == "ENG")
M1 = len(SEED_CATALOG.module("M1").concepts)


async def seed_team(learning: LearningApi) -> dict[str, Any]:
    """Four practitioners as of AS_OF, and one member who never enrolled: the roster's
    team of supervisor sup-1."""
    members = ["p-strong", "p-new", "p-shaky", "p-lapsed", "p-ghost"]
    await learning.roster.register(*members, supervisor_id="sup-1")
    recently = AS_OF - timedelta(days=1)
    await learning.master("p-strong", CORE_MODULES, starting=recently, spacing=HOUR)
    await learning.master("p-shaky", CORE_MODULES, starting=recently, spacing=HOUR)
    await learning.review("p-shaky", "M1.C1", "again", AS_OF - 12 * HOUR)
    await learning.master("p-lapsed", ("M1",), starting=T0)  # never reviewed since
    await learning.enroll("p-new")
    response = await learning.get("/teams/sup-1", as_of=AS_OF)
    assert response.status_code == 200, response.text
    team: dict[str, Any] = response.json()
    return team


async def team_visibility(learning: LearningApi, team_id: str, as_of: datetime) -> dict[str, Any]:
    response = await learning.get(f"/teams/{team_id}/visibility", role="supervisor", as_of=as_of)
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


async def test_team_visibility_ranks_the_shakiest_practitioner_first(learning: LearningApi) -> None:
    team = await seed_team(learning)

    report = await team_visibility(learning, team["id"], AS_OF)

    ranking = [(r["practitioner_id"], r["lapsed"], r["shaky"]) for r in report["ranking"]]
    assert ranking == [
        ("p-lapsed", M1, 0),
        ("p-shaky", 0, 1),
        ("p-new", 0, 0),
        ("p-strong", 0, 0),
    ]
    assert report["not_enrolled"] == ["p-ghost"]


async def test_team_summary_counts_concepts_by_competency(learning: LearningApi) -> None:
    team = await seed_team(learning)

    report = await team_visibility(learning, team["id"], AS_OF)

    assert list(report["by_competency"]) == [c.id for c in SEED_CATALOG.competencies]
    assert report["by_competency"]["ENG"] == {
        "strong": ENG + ENG - 1,  # p-strong, p-shaky but for M1.C1
        "shaky": 1,
        "missing": ENG + ENG - M1,  # p-new, p-lapsed beyond M1
        "lapsed": M1,
    }
    total = sum(sum(counts.values()) for counts in report["by_competency"].values())
    assert total == 4 * CONCEPTS


async def test_the_team_as_of_before_anyone_mastered_anything_is_all_missing(
    learning: LearningApi,
) -> None:
    team = await seed_team(learning)

    report = await team_visibility(learning, team["id"], T0 - HOUR)

    assert {r["missing"] for r in report["ranking"]} == {CONCEPTS}


async def test_a_practitioner_sees_their_concepts_most_at_risk_first(
    learning: LearningApi,
) -> None:
    await seed_team(learning)

    response = await learning.get(
        "/practitioners/p-shaky/visibility", role="practitioner", subject="p-shaky", as_of=AS_OF
    )

    assert response.status_code == 200, response.text
    report = response.json()
    first = report["concepts"][0]
    assert (first["concept_id"], first["status"]) == ("M1.C1", "shaky")
    assert "review failed" in first["reason"]
    assert report["modules"][0] == {
        "module_id": "M1",
        "status": "shaky",
        "mastered_at": (AS_OF - timedelta(days=1)).isoformat().replace("+00:00", "Z"),
    }
    assert report["risk"]["strong"] == CONCEPTS - 1
