"""When time alone will next change a practitioner's certification: the clock's agenda.

Between evidence, only three things move a status: tenure being reached, a qualifying
observation ageing out of a "no qualifying observation in N days" rule, and the
at-risk clock running out. Everything else only changes with new evidence. The
clock job re-evaluates a practitioner on (or after) the earliest such day. A
practitioner who left has none: only their return (an event) moves them again.
"""

from __future__ import annotations

from datetime import date

from services.certification.domain.day_spans import day_span
from services.certification.domain.evidence import EvidenceSet
from services.certification.domain.maintenance_alarms import counted_observations
from services.certification.domain.policy import Policy, Tenure
from services.certification.domain.state import CertificationState
from services.certification.domain.timeline import Timeline


def next_change_on(
    policy: Policy,
    evidence: EvidenceSet,
    state: CertificationState,
    *,
    timeline: Timeline | None = None,
) -> date | None:
    """The first day after ``state.as_of`` on which time alone may change a status.

    ``timeline``, when given, is the one the state was folded on (`fold_timeline`).
    """
    if timeline is None:
        timeline = Timeline(
            evidence,
            until=state.as_of,
            count_imported_paper=policy.observations.count_imported_paper,
        )
    if timeline.is_away(state.as_of):
        return None  # off the roster: only a return moves anything again
    days: set[date] = set()
    for level in policy.levels:
        for requirement in level.requires:
            if isinstance(requirement, Tenure):
                days |= {
                    start.started_on + day_span(requirement.min_days)
                    for start in timeline.program_starts()
                }
        maintenance = level.maintenance
        if maintenance is None:
            continue
        # Only the newest qualifying observation matters for "none in N days" rules.
        qualifying = [
            item
            for item in counted_observations(timeline, state.as_of, maintenance)
            if item.total_percent >= maintenance.qualifying_min_total
        ]
        if qualifying:
            newest = qualifying[-1].occurred_on
            horizons = (
                maintenance.at_risk.no_qualifying_for_days,
                maintenance.lapse.no_qualifying_for_days,
            )
            days |= {newest + day_span(n + 1) for n in horizons if n is not None}
        at_risk_since = state.level(level.key).at_risk_since
        if at_risk_since is not None and maintenance.lapse.at_risk_for_days is not None:
            days.add(at_risk_since + day_span(maintenance.lapse.at_risk_for_days))
    return min((day for day in days if day > state.as_of), default=None)
