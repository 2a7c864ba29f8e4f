"""Strong, shaky, missing or lapsed: per practitioner, ranked, and across a team."""

from __future__ import annotations

from datetime import datetime

from services.learning.domain.catalog import Catalog
from services.learning.domain.mastery import LearnerProgress, record_attempt
from services.learning.domain.review import ConceptCard, ReviewOutcome, apply_review
from services.learning.domain.visibility import (
    ConceptStatus,
    PractitionerVisibility,
    StatusCounts,
    practitioner_visibility,
    rank_team,
    summarise_team,
)
from tests.learning.unit.learning_builders import DAY, T0, an_attempt, cards_for, enrolled, mastered

STRONG, SHAKY, MISSING, LAPSED = (
    ConceptStatus.STRONG,
    ConceptStatus.SHAKY,
    ConceptStatus.MISSING,
    ConceptStatus.LAPSED,
)


def _with_m1_mastered(catalog: Catalog) -> tuple[LearnerProgress, dict[str, ConceptCard]]:
    return mastered(catalog, enrolled(catalog, T0), "M1", T0), cards_for(catalog, "M1", T0)


def _see(
    catalog: Catalog,
    progress: LearnerProgress,
    cards: dict[str, ConceptCard],
    as_of: datetime,
    practitioner_id: str = "p-1",
) -> PractitionerVisibility:
    return practitioner_visibility(practitioner_id, catalog, progress, cards, as_of)


def _statuses(view: PractitionerVisibility) -> dict[str, ConceptStatus]:
    return {c.concept_id: c.status for c in view.concepts}


def test_concepts_of_unmastered_modules_are_missing(catalog: Catalog) -> None:
    view = _see(catalog, enrolled(catalog, T0), {}, T0 + DAY)
    assert set(_statuses(view).values()) == {MISSING}
    assert view.concepts[0].reason == "module M1 not mastered"
    assert view.risk.missing == len(catalog.concepts)


def test_freshly_mastered_concepts_are_strong(catalog: Catalog) -> None:
    progress, cards = _with_m1_mastered(catalog)
    statuses = _statuses(_see(catalog, progress, cards, T0 + DAY))
    assert {statuses[cid] for cid in catalog.module("M1").concept_ids} == {STRONG}
    assert statuses["M2.C1"] is MISSING


def test_mastery_dated_after_as_of_does_not_count_yet(catalog: Catalog) -> None:
    progress = mastered(catalog, enrolled(catalog, T0), "M1", T0)
    view = _see(catalog, progress, cards_for(catalog, "M1", T0), T0 - DAY)
    assert _statuses(view)["M1.C1"] is MISSING


def test_mastered_concept_without_a_card_is_missing(catalog: Catalog) -> None:
    progress, cards = _with_m1_mastered(catalog)
    del cards["M1.C3"]
    view = _see(catalog, progress, cards, T0 + DAY)
    assert _statuses(view)["M1.C3"] is MISSING
    assert {m.module_id: m.status for m in view.modules}["M1"] is MISSING


def test_due_concept_is_shaky(catalog: Catalog) -> None:
    progress, cards = _with_m1_mastered(catalog)
    as_of = cards["M1.C1"].due + 3 * DAY
    view = _see(catalog, progress, cards, as_of)
    assert _statuses(view)["M1.C1"] is SHAKY
    assert view.concepts[0].reason.startswith("due for review")


def test_recently_failed_review_is_shaky_even_while_recall_is_high(catalog: Catalog) -> None:
    progress, cards = _with_m1_mastered(catalog)
    cards["M1.C2"] = apply_review(cards["M1.C2"], ReviewOutcome.AGAIN, T0 + DAY)
    view = _see(catalog, progress, cards, T0 + DAY)
    failed = next(c for c in view.concepts if c.concept_id == "M1.C2")
    assert failed.status is SHAKY and failed.reason.startswith("review failed")
    assert failed.retrievability == 1.0


def test_failed_reassessment_after_mastery_makes_its_concepts_shaky(catalog: Catalog) -> None:
    progress, cards = _with_m1_mastered(catalog)
    progress, _ = record_attempt(progress, an_attempt("M1", 0.5, T0 + DAY), catalog)
    statuses = _statuses(_see(catalog, progress, cards, T0 + DAY))
    assert {statuses[cid] for cid in catalog.module("M1").concept_ids} == {SHAKY}


def test_concepts_are_listed_most_at_risk_first(catalog: Catalog) -> None:
    progress = mastered(catalog, enrolled(catalog, T0), "M1", T0)
    progress = mastered(catalog, progress, "M2", T0 + 40 * DAY)
    as_of = T0 + 41 * DAY
    cards = cards_for(catalog, "M1", T0) | cards_for(catalog, "M2", T0 + 40 * DAY)
    # M1.C1 reviewed well enough to stay off the lapsed list, but is now due.
    cards["M1.C1"] = apply_review(cards["M1.C1"], ReviewOutcome.GOOD, T0 + 30 * DAY)
    cards["M1.C1"] = apply_review(cards["M1.C1"], ReviewOutcome.AGAIN, T0 + 35 * DAY)

    view = _see(catalog, progress, cards, as_of)

    ranks = [c.status.risk_rank for c in view.concepts]
    assert ranks == sorted(ranks, reverse=True)
    assert [c.status for c in view.concepts[:5]] == [LAPSED] * 4 + [SHAKY]
    assert view.concepts[4].concept_id == "M1.C1"
    assert view.concepts[-1].status is STRONG
    assert [m.module_id for m in view.modules][:2] == ["M1", "M3"]
    assert view.modules[0].status is LAPSED and view.modules[-1].status is STRONG


def test_team_ranking_puts_the_shakiest_practitioner_first(catalog: Catalog) -> None:
    as_of = T0 + 45 * DAY
    progress, cards = _with_m1_mastered(catalog)
    lapsing = _see(catalog, progress, cards, as_of, "lapsing")  # M1 never reviewed
    due_only = _see(catalog, progress, cards, T0 + 20 * DAY, "due-only")
    novice = _see(catalog, enrolled(catalog, T0), {}, as_of, "novice")
    recent = mastered(catalog, enrolled(catalog, T0), "M1", as_of - DAY)
    on_track = _see(catalog, recent, cards_for(catalog, "M1", as_of - DAY), as_of, "on-track")

    ranking = rank_team([on_track, novice, due_only, lapsing])

    assert [r.practitioner_id for r in ranking] == ["lapsing", "due-only", "novice", "on-track"]
    assert (ranking[0].lapsed, ranking[1].shaky, ranking[2].missing) == (5, 5, 29)


def test_team_summary_counts_statuses_by_competency(catalog: Catalog) -> None:
    progress, cards = _with_m1_mastered(catalog)
    team = [
        _see(catalog, progress, cards, T0 + DAY, "strong-eng"),
        _see(catalog, enrolled(catalog, T0), {}, T0 + DAY, "novice"),
    ]

    summary = summarise_team(catalog, team)

    assert list(summary.by_competency) == [c.id for c in catalog.competencies]
    assert summary.by_competency["ENG"] == StatusCounts(strong=5, missing=5)
    # M2 teaches three STR concepts; M2 and M4 teach five NEED concepts between them.
    assert summary.by_competency["STR"] == StatusCounts(missing=6)
    assert summary.by_competency["NEED"] == StatusCounts(missing=10)
    assert [r.practitioner_id for r in summary.ranking] == ["novice", "strong-eng"]
