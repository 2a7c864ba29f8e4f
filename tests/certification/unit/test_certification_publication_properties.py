"""Whatever order evidence arrives in, live or through an import window, what agency apps
hear keeps its promises: dates never run backwards, the last event tells the truth, a
revocation names only a held level, and nothing is published twice."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from services.certification.domain.evaluate import evaluate
from services.certification.domain.evidence import Evidence, EvidenceSet
from services.certification.domain.netting import plan_net_publication
from services.certification.domain.publication import (
    Announced,
    PublicationPlan,
    plan_publication,
    visible,
)
from services.certification.domain.seed_policies import DEFAULT_POLICY
from services.certification.domain.state import CertificationState
from services.certification.domain.transitions import HELD, TransitionKind
from tests.certification.unit.certification_builders import PractitionerHistory

AS_OF = date(2026, 6, 1)


def eventful_history() -> list[Evidence]:
    """Granted, at risk, restored, revoked and reinstated the same day, revoked again."""
    history = PractitionerHistory.certified_facilitator()
    history.observed(date(2026, 1, 20), total=60).observed(date(2026, 2, 25), total=95)
    history.observed(date(2026, 3, 5), total=95)
    history.revoked(date(2026, 3, 10)).reinstated(date(2026, 3, 10), reason="wrong person")
    history.revoked(date(2026, 4, 1), level="facilitator")
    history.concept_lapsed("C1.1", date(2026, 4, 20))
    return list(history.items)


ITEMS = eventful_history()


def evidence_of(items: list[Evidence]) -> EvidenceSet:
    return EvidenceSet(ITEMS[0].practitioner_id, items)


def record(announced: list[Announced], plan: PublicationPlan) -> list[Announced]:
    retracted = {i for e in plan.events for i in e.corrects} | set(plan.retracted_silently)
    stored = [
        Announced(
            a.event_id,
            a.transition,
            a.correction,
            a.retracted or a.event_id in retracted,
            a.published,
            a.effective_on,
        )
        for a in announced
    ]
    for transition in plan.settled:
        stored.append(Announced(f"s{len(stored)}", transition, published=False))
    for planned in plan.events:
        stored.append(
            Announced(
                f"e{len(stored)}",
                planned.transition,
                planned.correction,
                effective_on=planned.published_on,
            )
        )
    return stored


def assert_promises_kept(announced: list[Announced], state: CertificationState) -> None:
    for level in state.levels:
        heard = [a for a in announced if a.published and a.transition.level_key == level.level_key]
        dates = [a.published_on for a in heard]
        assert dates == sorted(dates), dates
        told = heard[-1].transition.to_status if heard else None
        assert visible(told) == visible(level.status)
        for a in heard:  # a correction's from_status is what the app was told instead
            if a.transition.kind is TransitionKind.REVOKED and not a.correction:
                assert a.transition.from_status in HELD, a
    assert not plan_publication(announced, state)  # nothing left to say, nothing said twice


@settings(max_examples=25, deadline=None)
@given(st.permutations(range(len(ITEMS))))
def test_live_publication_keeps_its_promises_in_any_arrival_order(order: list[int]) -> None:
    announced: list[Announced] = []
    arrived: list[Evidence] = []
    for index in order:
        arrived.append(ITEMS[index])
        state = evaluate(DEFAULT_POLICY, evidence_of(arrived), AS_OF)
        announced = record(announced, plan_publication(announced, state))
    assert_promises_kept(announced, state)


@settings(max_examples=25, deadline=None)
@given(st.permutations(range(len(ITEMS))), st.integers(min_value=0, max_value=len(ITEMS)))
def test_an_import_window_closes_on_the_same_news_whatever_the_order_inside_it(
    order: list[int], live: int
) -> None:
    announced: list[Announced] = []
    for index in range(live):  # the first items arrive live, before the window opens
        state = evaluate(DEFAULT_POLICY, evidence_of(ITEMS[: index + 1]), AS_OF)
        announced = record(announced, plan_publication(announced, state))
    before = list(announced)
    inside = [ITEMS[i] for i in order if i >= live]  # the rest, in any order: held

    final = evaluate(DEFAULT_POLICY, evidence_of(ITEMS[:live] + inside), AS_OF)
    plan = plan_net_publication(announced, final)
    announced = record(announced, plan)

    assert_promises_kept(announced, final)
    in_date_order = plan_net_publication(
        before, evaluate(DEFAULT_POLICY, evidence_of(ITEMS), AS_OF)
    )
    assert [(e.transition.key, e.published_on) for e in plan.events] == [
        (e.transition.key, e.published_on) for e in in_date_order.events
    ]
