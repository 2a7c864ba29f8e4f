"""An import window's close: only the net transitions, each with its true date."""

from __future__ import annotations

from datetime import date

from services.certification.domain.evaluate import evaluate
from services.certification.domain.netting import net_chain, plan_net_publication
from services.certification.domain.policy import Policy
from services.certification.domain.publication import (
    Announced,
    PublicationPlan,
    plan_publication,
)
from services.certification.domain.transitions import CertificationStatus, Transition
from services.certification.domain.transitions import TransitionKind as Kind
from tests.certification.unit.certification_builders import GRANT_DAY, PractitionerHistory

Status = CertificationStatus


def step(kind: Kind, on: date, from_status: Status, to_status: Status) -> Transition:
    return Transition(
        level_key="facilitator", kind=kind, on=on, from_status=from_status, to_status=to_status
    )


GRANTED = step(Kind.GRANTED, date(2025, 3, 1), Status.IN_PROGRESS, Status.CERTIFIED)
AT_RISK = step(Kind.AT_RISK, date(2025, 5, 1), Status.CERTIFIED, Status.AT_RISK)
RESTORED = step(Kind.RESTORED, date(2025, 6, 1), Status.AT_RISK, Status.CERTIFIED)
AT_RISK_AGAIN = step(Kind.AT_RISK, date(2025, 8, 1), Status.CERTIFIED, Status.AT_RISK)
LAPSED = step(Kind.LAPSED, date(2025, 11, 1), Status.AT_RISK, Status.LAPSED)
REGRANTED = step(Kind.GRANTED, date(2026, 1, 5), Status.LAPSED, Status.CERTIFIED)


def record(plan: PublicationPlan, announced: list[Announced] | None = None) -> list[Announced]:
    """What the service stores after carrying out ``plan`` (ids are positions)."""
    stored = list(announced or [])
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


def test_a_history_granted_then_lapsed_publishes_the_grant_and_the_lapse_with_true_dates() -> None:
    path = [GRANTED, AT_RISK, LAPSED]

    assert net_chain(None, path) == [GRANTED, AT_RISK, LAPSED]


def test_an_at_risk_spell_ended_by_restoration_inside_the_window_is_left_out() -> None:
    path = [GRANTED, AT_RISK, RESTORED, AT_RISK_AGAIN, LAPSED]

    assert net_chain(None, path) == [GRANTED, AT_RISK_AGAIN, LAPSED]


def test_a_level_that_ends_where_it_started_publishes_nothing() -> None:
    assert net_chain(Status.CERTIFIED, [GRANTED, AT_RISK, RESTORED]) == []
    assert net_chain(None, []) == []


def test_only_what_follows_the_last_time_the_level_had_the_announced_status_is_news() -> None:
    path = [GRANTED, AT_RISK, LAPSED, REGRANTED]

    assert net_chain(Status.AT_RISK, path) == [LAPSED, REGRANTED]
    assert net_chain(Status.CERTIFIED, path) == []


def test_an_announced_status_the_history_never_had_asks_for_a_correction() -> None:
    assert net_chain(Status.REVOKED, [GRANTED, AT_RISK]) is None


def test_a_twelve_month_history_whose_concepts_lapsed_before_the_grant_publishes_nothing(
    policy: Policy, history: PractitionerHistory
) -> None:
    history.concept_lapsed("C1.1", date(2025, 11, 20))  # before GRANT_DAY, never restored

    plan = plan_net_publication([], evaluate(policy, history.build(), date(2026, 1, 10)))

    assert plan.events == [] and plan.settled == []


def test_the_close_publishes_the_grant_with_its_true_date_and_settles_nothing_else(
    policy: Policy, history: PractitionerHistory
) -> None:
    state = evaluate(policy, history.build(), date(2026, 1, 10))

    plan = plan_net_publication([], state)

    assert [(e.transition.kind, e.published_on, e.correction) for e in plan.events] == [
        (Kind.GRANTED, GRANT_DAY, False)
    ]
    assert not plan_net_publication(record(plan), state)


def test_netted_out_transitions_are_settled_so_nothing_publishes_them_later(
    policy: Policy, history: PractitionerHistory
) -> None:
    # two observations below 80% after the grant: at risk, then a good one restores
    history.observed(date(2026, 2, 1), total=60).observed(date(2026, 3, 1), total=95)
    history.observed(date(2026, 3, 20), total=95)
    state = evaluate(policy, history.build(), date(2026, 4, 1))
    kinds = [t.kind for t in state.level("facilitator").transitions]
    assert kinds == [Kind.GRANTED, Kind.AT_RISK, Kind.RESTORED]

    plan = plan_net_publication([], state)

    assert [e.transition.kind for e in plan.events] == [Kind.GRANTED]
    assert [t.kind for t in plan.settled] == [Kind.AT_RISK, Kind.RESTORED]
    assert not plan_publication(record(plan), state)


def test_a_published_grant_the_import_shows_never_happened_is_corrected(
    policy: Policy, history: PractitionerHistory
) -> None:
    granted = Announced("g1", step(Kind.GRANTED, GRANT_DAY, Status.IN_PROGRESS, Status.CERTIFIED))
    history.concept_lapsed("C1.1", date(2025, 11, 20))

    plan = plan_net_publication([granted], evaluate(policy, history.build(), date(2026, 1, 10)))

    [correction] = plan.events
    assert (correction.transition.kind, correction.correction) == (Kind.LAPSED, True)
    assert correction.corrects == ("g1",)
    assert correction.published_on >= GRANT_DAY
