"""Which maintenance rules fire on a day, without their reasons; and the observations
maintenance counts at all.

A replay asks every held level's maintenance on every checkpoint day, and a status
moves on few of them: `bind_alarms` decides exactly as `maintenance.check_maintenance`
does whether an at-risk and whether a lapse rule fires, and the replay asks for the
reasons only when a status moves.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from datetime import date

from services.certification.domain.evidence import ObservationRecorded
from services.certification.domain.observations import disqualification
from services.certification.domain.policy import Maintenance
from services.certification.domain.timeline import Timeline
from services.certification.domain.transitions import HELD, CertificationStatus
from services.certification.domain.vocabulary import InstrumentKind


def counted_observations(
    timeline: Timeline, on: date, maintenance: Maintenance
) -> list[ObservationRecorded]:
    """The observations of the maintenance's kind known by ``on`` that count at all."""
    kind = maintenance.instrument_kind
    counted, dates = timeline.remember(_COUNTED[kind], None, lambda: _counted(timeline, kind))
    return counted[: bisect_right(dates, on)]


# What `counted_observations` remembers per timeline, one question per instrument kind.
_COUNTED: dict[InstrumentKind, object] = {"team_meeting": object(), "coaching": object()}


def _counted(
    timeline: Timeline, kind: InstrumentKind
) -> tuple[list[ObservationRecorded], list[date]]:
    counted = [
        item
        for item in timeline.observations(date.max, kind)
        if disqualification(
            item,
            practitioner_id=timeline.practitioner_id,
            count_imported_paper=timeline.count_imported_paper,
        )
        is None
    ]
    return counted, [item.occurred_on for item in counted]


# Whether an at-risk rule and whether a lapse rule fires on a day, given since when the
# level is at risk and the prerequisite level's rule status (None: it has none).
Alarms = Callable[[date, date | None, CertificationStatus | None], tuple[bool, bool]]


def bind_alarms(maintenance: Maintenance | None, timeline: Timeline) -> Alarms:
    """What says, on ``timeline``, whether an at-risk rule fires, and whether a lapse rule
    does ("at risk too long" counting only while an at-risk rule fires): what
    `check_maintenance` decides, without writing its reasons (a replay reads them only
    when a status moves). The score rules are judged once per prefix of the counted
    observations, as `_score_rules` judges them."""
    if maintenance is None:
        return _prerequisite_alarms
    kind = maintenance.instrument_kind
    rules, limits = maintenance.at_risk, maintenance.lapse
    known: dict[int, tuple[bool, date | None]] = {}

    def alarms(
        on: date, at_risk_since: date | None, prerequisite: CertificationStatus | None
    ) -> tuple[bool, bool]:
        at_risk, lapse = _prerequisite_alarms(on, at_risk_since, prerequisite)
        counted, dates = timeline.remember(_COUNTED[kind], None, lambda: _counted(timeline, kind))
        seen = bisect_right(dates, on)
        found = known.get(seen)
        if found is None:
            found = known[seen] = _score_alarms(maintenance, counted[:seen])
        scores_fire, newest = found
        age = None if newest is None else (on - newest).days
        at_risk = (
            at_risk
            or scores_fire
            or _stale_fires(age, rules.no_qualifying_for_days)
            or (rules.concept_lapsed and timeline.any_concept_lapsed(on, rules.concept_ids))
        )
        lapse = lapse or _stale_fires(age, limits.no_qualifying_for_days)
        if not lapse and at_risk and at_risk_since is not None:
            lapse = limits.at_risk_for_days is not None and (
                (on - at_risk_since).days >= limits.at_risk_for_days
            )
        return at_risk, lapse

    return alarms


def _prerequisite_alarms(
    on: date, at_risk_since: date | None, prerequisite: CertificationStatus | None
) -> tuple[bool, bool]:
    if prerequisite is None:
        return False, False
    return prerequisite is CertificationStatus.AT_RISK, prerequisite not in HELD


def _score_alarms(
    maintenance: Maintenance, observed: Sequence[ObservationRecorded]
) -> tuple[bool, date | None]:
    """Whether a rule of `_score_rules` fires on the counted observations ``observed``,
    and the date of the newest qualifying one."""
    at_risk = maintenance.at_risk
    fires = False
    if at_risk.recent_mean_below is not None:
        recent = observed[-at_risk.recent_count :]
        if recent:
            mean = sum(o.total_percent for o in recent) / len(recent)
            fires = mean < at_risk.recent_mean_below
    if not fires and at_risk.latest_domain_below is not None and observed:
        floor = at_risk.latest_domain_below
        fires = any(v < floor for v in observed[-1].domain_percents.values())
    newest = next(
        (o for o in reversed(observed) if o.total_percent >= maintenance.qualifying_min_total),
        None,
    )
    return fires, newest.occurred_on if newest is not None else None


def _stale_fires(age: int | None, max_days: int | None) -> bool:
    """`_stale`'s verdict: no qualifying observation, or the newest older than allowed."""
    return max_days is not None and (age is None or age > max_days)
