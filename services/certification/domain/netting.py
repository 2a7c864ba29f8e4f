"""What an import window publishes when it closes: the net transitions, with true dates.

While an import of an agency is open, certification evaluates every practitioner but
publishes nothing. The evidence arrives in any order, so on the way the fold may
grant, retract and grant again; none of that churn reaches agency apps. At the close,
per level, subscribers hear only what takes them from the status they were last
told (``announced``) to the level's current status, through transitions that really
happened, each with its true date:

1. Start after the **last** point in the (final) history where the level had the
   announced status (not certified, certified, at risk, lapsed, revoked): earlier
   stretches that came back to it are not news. A level whose status ends where it
   started publishes nothing.
2. From there, the fold's transitions in order, except the excursions that cancel
   out: an at-risk spell ended by ``restored``, a revocation lifted by ``reinstated``
   back to the same status. Grants and lapses always stay: a lapse is not "never
   certified" (requalifying counts only later observations) and the certified
   period is a fact apps (billing, HR) need, so a history granted and then lapsed
   inside the window publishes ``granted`` then ``lapsed`` with their true dates.
3. If the level never had the announced status in the corrected history (an
   import showed that a published grant never happened), one **correction** leads
   from the announced status to the current one, as in ``publication.py``.

Every other fold transition is *settled*: recorded as accounted for, never
published, so the live planner does not publish it afterwards. Published events the
import wrote out of history are listed in ``corrects`` of the level's first event,
or retracted silently when the level publishes nothing (what apps hold is right).
Dates pass through ``clamp_dates``: only a level that had published events after
the imported dates sees an ``effective_on`` later than ``true_effective_on``.
"""

from __future__ import annotations

from collections.abc import Sequence

from services.certification.domain.publication import (
    Announced,
    PlannedEvent,
    PublicationPlan,
    clamp_dates,
    correction_event,
    gone_ids,
    standing_transitions,
    visible,
)
from services.certification.domain.state import CertificationState
from services.certification.domain.transitions import (
    CertificationStatus,
    Transition,
    TransitionKind,
    retracted_transitions,
)

Kind = TransitionKind


def net_chain(
    start: CertificationStatus | None, path: Sequence[Transition]
) -> list[Transition] | None:
    """The transitions of ``path`` (one level, chronological) that subscribers who were
    told ``start`` need; None when the level never had that status in ``path``."""
    told = visible(start)
    statuses = [None, *(visible(t.to_status) for t in path)]
    hits = [index for index, status in enumerate(statuses) if status == told]
    if not hits:
        return None
    chain: list[Transition] = []
    for transition in path[hits[-1] :]:
        if chain and _cancels(chain[-1], transition):
            chain.pop()
        else:
            chain.append(transition)
    return chain


def _cancels(earlier: Transition, later: Transition) -> bool:
    """An excursion that ends where it began: at risk → restored, revoked → reinstated."""
    back = visible(later.to_status) == visible(earlier.from_status)
    return back and (
        (earlier.kind, later.kind)
        in ((Kind.AT_RISK, Kind.RESTORED), (Kind.REVOKED, Kind.REINSTATED))
    )


def plan_net_publication(
    announced: Sequence[Announced], state: CertificationState
) -> PublicationPlan:
    """The events that bring subscribers from ``announced`` to ``state`` at a window's close."""
    standing = standing_transitions(announced)
    known = {a.transition.key for a in standing}
    gone = {
        t.key for t in retracted_transitions([a.transition for a in standing], state.transitions)
    }
    plan = PublicationPlan()
    for level in state.levels:
        key = level.level_key
        lost = gone_ids(standing, gone, key, plan)
        told = [a for a in announced if a.published and a.transition.level_key == key]
        start = told[-1].transition.to_status if told else None
        chain = net_chain(start, level.transitions)
        if chain is None:
            plan.events.append(correction_event(level, start, state.as_of, lost, False))
            chain = []
        else:
            chain = [t for t in chain if t.key not in known]
            plan.events.extend(
                PlannedEvent(t, corrects=lost if index == 0 else ())
                for index, t in enumerate(chain)
            )
            if lost and not chain:
                plan.retracted_silently.extend(lost)
        chosen = {t.key for t in chain}
        plan.settled.extend(
            t for t in level.transitions if t.key not in known and t.key not in chosen
        )
    return clamp_dates(announced, plan)
