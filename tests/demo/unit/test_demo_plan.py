"""The demo history as data: ratings that score what the story says, plans that repeat exactly."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from services.fidelity.domain.scoring import score_observation
from services.fidelity.domain.seed_instruments import TEAM_MEETING_OBSERVATION
from services.learning.domain.review import (
    ReviewOutcome,
    ReviewStatus,
    apply_review,
    outcome_for_score,
    overdue_by,
    review_status,
    start_card,
)
from services.learning.domain.seed_catalog import MODULES
from system.demo_history.lms import reported_by_lms
from system.demo_history.personas import PERSONAS, TEAMS
from system.demo_history.plan import Catalog, plan_persona
from system.demo_history.ratings import Instrument, observation_ratings

ANCHOR = date(2026, 12, 6)


def instrument_answer() -> dict[str, Any]:
    """The seed instrument as fidelity's `GET /instruments/{key}` shows it."""
    tool = TEAM_MEETING_OBSERVATION
    return {
        "key": tool.key,
        "version": tool.version,
        "domains": [
            {
                "id": domain.id,
                "items": [
                    {"id": item.id, "indicators": [{"id": i.id} for i in item.indicators]}
                    for item in domain.items
                ],
            }
            for domain in tool.domains
        ],
    }


INSTRUMENT = Instrument.from_api(instrument_answer())
CATALOG = Catalog({m.id: list(m.concept_ids) for m in MODULES}, INSTRUMENT)


def scored(ratings: list[dict[str, str]]) -> tuple[float, dict[str, float]]:
    result = score_observation(
        TEAM_MEETING_OBSERVATION, {r["indicator_id"]: r["rating"] for r in ratings}
    )
    return float(result.total), {d.domain_id: float(d.score) for d in result.domains}


def test_unit_ratings_score_at_the_target_total_and_within_three_points_of_it() -> None:
    for target in (62, 70, 76, 80, 84, 88, 92, 95):
        total, _ = scored(observation_ratings(INSTRUMENT, target))
        assert target <= total < target + 3, target


def test_unit_a_lower_target_never_raises_a_domain_so_rising_totals_raise_no_drift() -> None:
    previous: dict[str, float] | None = None
    for target in (95, 92, 88, 84, 80, 76, 70):
        _, domains = scored(observation_ratings(INSTRUMENT, target))
        if previous is not None:
            assert all(domains[d] <= previous[d] for d in domains)
        previous = domains


def test_unit_a_weak_domain_falls_under_65_while_the_total_stays_at_80_or_more() -> None:
    total, domains = scored(observation_ratings(INSTRUMENT, 86, ("TM.SAFE", 50)))
    assert domains["TM.SAFE"] == 50
    assert total >= 86
    assert min(score for domain, score in domains.items() if domain != "TM.SAFE") >= 80


def test_unit_forty_practitioners_in_four_teams_with_the_intended_mix() -> None:
    assert len(PERSONAS) == 40 == len({p.id for p in PERSONAS})
    assert Counter(p.supervisor for p in PERSONAS) == dict.fromkeys(TEAMS, 10)
    assert Counter(p.expect for p in PERSONAS) == {
        "certified": 20,
        "at_risk": 5,
        "lapsed": 1,
        "revoked": 1,
        "in_progress": 13,
    }


def test_unit_every_planned_date_lies_in_the_fourteen_and_a_half_months_before_the_anchor() -> None:
    earliest = date(2025, 9, 22)  # 440 days before the anchor
    for persona in PERSONAS:
        plan = plan_persona(persona, "demo-agency", ANCHOR, CATALOG)
        for call in [plan.registration, *plan.learning, *plan.coaching, *plan.fidelity]:
            for key in ("program_start", "enrolled_on", "valid_from", "held_on", "rated_on"):
                if key in call.body:
                    assert earliest <= date.fromisoformat(call.body[key]) < ANCHOR, call
            for key in ("attempted_at", "reviewed_at", "meeting_date"):
                if key in call.body:
                    assert earliest <= date.fromisoformat(call.body[key][:10]) < ANCHOR, call


def test_unit_planning_twice_gives_the_same_requests_and_ids_are_never_shared() -> None:
    first = [plan_persona(p, "demo-agency", ANCHOR, CATALOG) for p in PERSONAS]
    again = [plan_persona(p, "demo-agency", ANCHOR, CATALOG) for p in PERSONAS]
    assert first == again
    ids = [c.body["id"] for plan in first for c in plan.learning + plan.coaching + plan.fidelity]
    assert len(ids) == len(set(ids))
    elsewhere = plan_persona(PERSONAS[0], "other-agency", ANCHOR, CATALOG)
    assert elsewhere.learning[0].body["id"] != first[0].learning[0].body["id"]


def test_unit_reviews_follow_the_attempts_and_come_in_date_order() -> None:
    for persona in PERSONAS:
        learning = plan_persona(persona, "demo-agency", ANCHOR, CATALOG).learning
        paths = [call.path for call in learning]
        reviews = [call.body["reviewed_at"] for call in learning if call.path == "/reviews"]
        assert paths == sorted(paths, key=["/enrollments", "/attempts", "/reviews"].index)
        assert reviews == sorted(reviews)


def test_unit_the_concept_lapse_story_leaves_module_6_unreviewed_and_the_others_reviewed() -> None:
    [james] = [p for p in PERSONAS if p.id == "james-obi"]
    learning = plan_persona(james, "demo-agency", ANCHOR, CATALOG).learning
    reviewed = {
        call.body["concept_id"].split(".")[0] for call in learning if call.path == "/reviews"
    }
    assert reviewed == {"M1", "M2", "M3", "M4", "M5"}


def test_unit_no_reviewed_concept_is_ever_overdue_past_the_grace_nor_lapsed_at_the_anchor() -> None:
    until = datetime.combine(ANCHOR, time(0), tzinfo=UTC)
    for persona in PERSONAS:
        learning = plan_persona(persona, "demo-agency", ANCHOR, CATALOG).learning
        mastered = {
            call.body["module_id"]: datetime.fromisoformat(call.body["attempted_at"])
            for call in learning
            if call.path == "/attempts" and call.body["scaled_score"] >= 0.8
        }
        cards = {}
        for call in learning:
            if call.path != "/reviews":
                continue
            concept_id = call.body["concept_id"]
            at = datetime.fromisoformat(call.body["reviewed_at"])
            card = cards.get(concept_id) or start_card(concept_id, mastered[concept_id[:2]])
            assert overdue_by(card, at) <= timedelta(days=30), (persona.id, concept_id, at)
            cards[concept_id] = apply_review(card, ReviewOutcome(call.body["rating"]), at)
        lapsed = {
            c for c, card in cards.items() if review_status(card, until) is ReviewStatus.LAPSED
        }
        assert not lapsed, persona.id
        reviewed_modules = {c.split(".")[0] for c in cards}
        assert reviewed_modules == set(mastered) - set(persona.unreviewed), persona.id


def test_unit_the_lms_reports_every_attempt_and_review_in_one_batch_scored_to_the_same_rating() -> (
    None
):
    [plan] = [plan_persona(p, "demo-agency", ANCHOR, CATALOG) for p in PERSONAS[:1]]
    enrollment, batch = reported_by_lms(plan.learning)
    assert enrollment.path == "/enrollments"
    records = [c.body for c in plan.learning if c.path in ("/attempts", "/reviews")]
    assert [s["id"] for s in batch.body] == [r["id"] for r in records]
    for statement, record in zip(batch.body, records, strict=True):
        scaled = statement["result"]["score"]["scaled"]
        if "rating" in record:
            assert outcome_for_score(scaled).value == record["rating"]
            assert statement["timestamp"] == record["reviewed_at"]
        else:
            assert scaled == record["scaled_score"]
            assert statement["timestamp"] == record["attempted_at"]
