"""Maintenance: the rules that keep, endanger or lapse a level once it is granted.

Only observations by calibrated observers (other than the practitioner) are looked
at, and imported paper ones only when the policy counts them. "The last 3" means
the last up to 3: with fewer on record, the mean is of those there are. A
*qualifying* observation here needs only the maintenance total (the domain floor is
the latest-domain rule's business). A level with a prerequisite level is at risk
while the prerequisite is at risk, and lapses when the prerequisite is no longer held.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from services.certification.domain import explain
from services.certification.domain.day_spans import day_span
from services.certification.domain.evidence import ObservationRecorded
from services.certification.domain.maintenance_alarms import counted_observations
from services.certification.domain.policy import AtRiskRules, Maintenance
from services.certification.domain.requirement_reasons import describe_concepts, lapsed_concepts
from services.certification.domain.requirements import Prerequisite
from services.certification.domain.state import Effect, RuleResult
from services.certification.domain.timeline import Timeline
from services.certification.domain.transitions import HELD, CertificationStatus
from services.certification.domain.vocabulary import INSTRUMENT_NAMES


@dataclass(frozen=True)
class MaintenanceVerdict:
    rules: tuple[RuleResult, ...]

    def fired(self, effect: Effect) -> list[RuleResult]:
        return [rule for rule in self.rules if rule.fired and rule.effect == effect]


def check_maintenance(
    maintenance: Maintenance | None,
    timeline: Timeline,
    on: date,
    at_risk_since: date | None,
    prerequisite: Prerequisite | None,
    *,
    effect: Effect | None = None,
) -> MaintenanceVerdict:
    """Judge every maintenance rule of a level on ``on`` (disabled rules are left out);
    with ``effect``, only the rules of that effect (a replay moving a status on the day
    reads no others)."""
    rules: list[RuleResult] = []
    if prerequisite is not None:
        rules.extend(r for r in _prerequisite_rules(prerequisite) if effect in (None, r.effect))
    if maintenance is None:
        return MaintenanceVerdict(tuple(rules))
    kind = INSTRUMENT_NAMES[maintenance.instrument_kind]
    floor = explain.percent(maintenance.qualifying_min_total)
    if effect == "lapse":
        newest = _newest_qualifying(maintenance, counted_observations(timeline, on, maintenance))
    else:
        at_risk = maintenance.at_risk
        scored, newest = _scored(maintenance, timeline, on)
        rules.extend(scored)
        if at_risk.no_qualifying_for_days is not None:
            days = at_risk.no_qualifying_for_days
            rules.append(_stale("at_risk", newest, on, days, kind, floor))
        if at_risk.concept_lapsed:
            rules.append(_concepts(at_risk, timeline, on))
    if effect != "at_risk":
        lapse = maintenance.lapse
        if lapse.no_qualifying_for_days is not None:
            rules.append(_stale("lapse", newest, on, lapse.no_qualifying_for_days, kind, floor))
        if lapse.at_risk_for_days is not None:
            rules.append(_at_risk_too_long(at_risk_since, on, lapse.at_risk_for_days))
    return MaintenanceVerdict(tuple(rules))


def _newest_qualifying(
    maintenance: Maintenance, observed: Sequence[ObservationRecorded]
) -> ObservationRecorded | None:
    """The newest counted observation qualifying for maintenance, if any."""
    qualifying = [o for o in observed if o.total_percent >= maintenance.qualifying_min_total]
    return qualifying[-1] if qualifying else None


def _scored(
    maintenance: Maintenance, timeline: Timeline, on: date
) -> tuple[tuple[RuleResult, ...], ObservationRecorded | None]:
    return timeline.remember(
        maintenance,
        timeline.observation_count(on, maintenance.instrument_kind),
        lambda: _score_rules(maintenance, timeline, on),
    )


def _concepts(at_risk: AtRiskRules, timeline: Timeline, on: date) -> RuleResult:
    return timeline.remember(
        at_risk,
        timeline.concept_count(on),
        lambda: _concept_rule(timeline, on, at_risk.concept_ids),
    )


def _score_rules(
    maintenance: Maintenance, timeline: Timeline, on: date
) -> tuple[tuple[RuleResult, ...], ObservationRecorded | None]:
    """The rules on the observations' scores, and the newest qualifying observation: they
    read only the observations known by ``on`` (remembered per how many there are)."""
    observed = counted_observations(timeline, on, maintenance)
    kind = INSTRUMENT_NAMES[maintenance.instrument_kind]
    at_risk = maintenance.at_risk
    rules: list[RuleResult] = []
    if at_risk.recent_mean_below is not None:
        rules.append(
            _recent_mean(observed[-at_risk.recent_count :], at_risk.recent_mean_below, kind)
        )
    if at_risk.latest_domain_below is not None:
        rules.append(_latest_domain(observed[-1:], at_risk.latest_domain_below, kind))
    return tuple(rules), _newest_qualifying(maintenance, observed)


def _concept_rule(timeline: Timeline, on: date, concept_ids: Sequence[str] | None) -> RuleResult:
    lapsed, events = lapsed_concepts(timeline, on, concept_ids)
    return RuleResult(
        rule="concept_lapsed",
        effect="at_risk",
        fired=bool(lapsed),
        reason=describe_concepts(lapsed, events),
        evidence_ids=tuple(e.event_id for e in lapsed),
    )


def flip_dates(maintenance: Maintenance, timeline: Timeline) -> set[date]:
    """Days on which an observation ages out of a "no qualifying observation" rule.

    Time alone changes nothing else in maintenance except the at-risk clock, which
    the replay schedules itself when a level enters at risk.
    """
    horizons = [
        maintenance.at_risk.no_qualifying_for_days,
        maintenance.lapse.no_qualifying_for_days,
    ]
    return {
        item.occurred_on + day_span(days + 1)
        for item in counted_observations(timeline, date.max, maintenance)
        if item.total_percent >= maintenance.qualifying_min_total
        for days in horizons
        if days is not None
    }


@lru_cache(maxsize=1024)
def _prerequisite_rules(prerequisite: Prerequisite) -> tuple[RuleResult, ...]:
    return (
        RuleResult(
            rule="prerequisite_at_risk",
            effect="at_risk",
            fired=prerequisite.status is CertificationStatus.AT_RISK,
            reason=prerequisite.describe(),
        ),
        RuleResult(
            rule="prerequisite_not_held",
            effect="lapse",
            fired=prerequisite.status not in HELD,
            reason=prerequisite.describe(),
        ),
    )


def _recent_mean(recent: Sequence[ObservationRecorded], threshold: float, kind: str) -> RuleResult:
    if not recent:
        return RuleResult(
            rule="recent_mean", effect="at_risk", fired=False, reason=f"no {kind} observation yet"
        )
    mean = sum(o.total_percent for o in recent) / len(recent)
    fired = mean < threshold
    return RuleResult(
        rule="recent_mean",
        effect="at_risk",
        fired=fired,
        reason=(
            f"mean of the last {explain.count(len(recent), kind + ' observation')} is "
            f"{explain.percent(mean)} ({explain.listing([explain.observation(o) for o in recent])})"
            f", {'below' if fired else 'at least'} {explain.percent(threshold)}"
        ),
        evidence_ids=tuple(o.event_id for o in recent),
    )


def _latest_domain(latest: Sequence[ObservationRecorded], floor: float, kind: str) -> RuleResult:
    if not latest:
        return RuleResult(
            rule="latest_domain", effect="at_risk", fired=False, reason=f"no {kind} observation yet"
        )
    item = latest[0]
    low = sorted(f"{d} {explain.percent(v)}" for d, v in item.domain_percents.items() if v < floor)
    verdict = (
        f"{'domain' if len(low) == 1 else 'domains'} {', '.join(low)} below"
        if low
        else "no domain below"
    )
    return RuleResult(
        rule="latest_domain",
        effect="at_risk",
        fired=bool(low),
        reason=f"latest {kind} observation {explain.observation(item)}: {verdict} "
        f"{explain.percent(floor)}",
        evidence_ids=(item.event_id,),
    )


def _stale(
    effect: Effect,
    newest: ObservationRecorded | None,
    on: date,
    max_days: int,
    kind: str,
    floor: str,
) -> RuleResult:
    if newest is None:
        return RuleResult(
            rule="no_qualifying_observation",
            effect=effect,
            fired=True,
            reason=f"no qualifying {kind} observation ({floor} or more) on record",
        )
    age = (on - newest.occurred_on).days
    fired = age > max_days
    return RuleResult(
        rule="no_qualifying_observation",
        effect=effect,
        fired=fired,
        reason=(
            f"last qualifying {kind} observation {explain.observation(newest)} is "
            f"{age} days old ({'more than' if fired else 'within'} {max_days})"
        ),
        evidence_ids=(newest.event_id,),
    )


_NOT_AT_RISK = RuleResult(
    rule="at_risk_too_long", effect="lapse", fired=False, reason="not at risk"
)


def _at_risk_too_long(at_risk_since: date | None, on: date, max_days: int) -> RuleResult:
    if at_risk_since is None:
        return _NOT_AT_RISK
    days = (on - at_risk_since).days
    return RuleResult(
        rule="at_risk_too_long",
        effect="lapse",
        fired=days >= max_days,
        reason=f"at risk since {at_risk_since} ({days} days; lapses at {max_days})",
    )
