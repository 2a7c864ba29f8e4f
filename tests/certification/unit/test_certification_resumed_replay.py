"""A replay resumed from a kept snapshot answers exactly what a fresh replay answers.

The histories are fold_histories.py's (several levels with prerequisites, maintenance
with at-risk and lapse, tenure, observations ageing out, revocations and
reinstatements, away periods, imported paper observations, calibrations decided
later). Each arrives in steps, mostly in date order with some items late, the way
intake takes it in; each step resumes from the snapshot the step before kept, and its
state must equal a fresh `evaluate` of the same evidence, transitions and reasons in
order. Steps also withdraw an item (a retraction), re-decide calibrations, switch the
policy and evaluate as of an earlier day: the replay must see that the snapshot no
longer fits and fold from the start.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.certification.domain.calibrations import Calibration, decide_calibrations
from services.certification.domain.evaluate import evaluate, replay
from services.certification.domain.evidence import Evidence, EvidenceSet, RosterDetailsChanged
from services.certification.domain.policy import Policy
from services.certification.domain.replay_snapshot import ReplaySnapshot
from services.certification.domain.schedule import next_change_on
from tests.certification.unit.certification_builders import PractitionerHistory
from tests.certification.unit.fold_histories import (
    POLICIES,
    SPAN_DAYS,
    START,
    STRICT_POLICY,
    random_history,
)


def _arrivals(items: list[Evidence], steps: int, late: float, rng: random.Random) -> list[int]:
    """For each item (in date order), the step it arrives in: in date order, some late."""
    arrive = [min(steps - 1, n * steps // max(1, len(items))) for n in range(len(items))]
    return [rng.randint(step, steps - 1) if rng.random() < late else step for step in arrive]


def _checked(
    policy_evidence: tuple[Policy, EvidenceSet], as_of: date, kept: ReplaySnapshot | None
) -> tuple[ReplaySnapshot | None, bool]:
    """Replays resuming from ``kept``, checks the answer against a fresh one, and returns
    the new snapshot and whether it resumed."""
    policy, evidence = policy_evidence
    resumed = replay(policy, evidence, as_of, resume=kept, keep=True)
    fresh = evaluate(policy, evidence, as_of)
    assert resumed.state == fresh
    assert next_change_on(policy, evidence, resumed.state) == next_change_on(
        policy, evidence, fresh
    )
    return resumed.kept, resumed.resumed


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 100_000),
    steps=st.integers(2, 6),
    late=st.sampled_from((0.0, 0.05, 0.3)),
    twist=st.sampled_from(("none", "retract", "recalibrate", "policy", "earlier")),
    data=st.data(),
)
def test_a_resumed_replay_answers_what_a_fresh_replay_answers(
    seed: int, steps: int, late: float, twist: str, data: st.DataObject
) -> None:
    policy, items = random_history(seed)
    rng = random.Random(seed)
    items.sort(key=lambda item: (item.occurred_on, item.event_id))
    arrivals = _arrivals(items, steps, late, rng)
    pid = items[0].practitioner_id
    twisted_at = data.draw(st.integers(1, steps - 1))
    kept: ReplaySnapshot | None = None
    as_of = START
    for step in range(steps):
        held = [item for item, arrives in zip(items, arrivals, strict=True) if arrives <= step]
        if step >= twisted_at and twist == "retract" and held:
            del held[rng.randrange(len(held))]
        if step >= twisted_at and twist == "recalibrate":
            held = _recalibrated(held, rng)
        if step == twisted_at and twist == "policy":
            policy = POLICIES[(POLICIES.index(policy) + 1) % len(POLICIES)]
        latest = max((item.occurred_on for item in held), default=START)
        as_of = max(as_of, latest) + timedelta(days=data.draw(st.integers(0, 90)))
        if step == twisted_at and twist == "earlier":
            as_of -= timedelta(days=data.draw(st.integers(1, 400)))
        kept, _ = _checked((policy, EvidenceSet(pid, held)), as_of, kept)


def _recalibrated(held: list[Evidence], rng: random.Random) -> list[Evidence]:
    observers = ("coach-1", "observer-independent", "observer-7", "coach-2")
    calibrations = [
        Calibration(
            attempt_id="late-calibration",
            observer_id=rng.choice(observers),
            instrument_key=rng.choice(("team-meeting-observation", "coaching-observation")),
            valid_from=START,
            valid_until=START + timedelta(days=SPAN_DAYS),
        )
    ]
    return decide_calibrations(held, calibrations)


def _grown(steps: int) -> tuple[Policy, list[EvidenceSet]]:
    """A certified facilitator's history, then a year of practice, in date order."""
    history = PractitionerHistory.certified_facilitator()
    sets = [history.build()]
    day = max(item.occurred_on for item in history.items)
    for step in range(steps):
        day += timedelta(days=9)
        history.coached(day)
        history.observed(day + timedelta(days=2), total=70.0 + 3 * (step % 9))
        sets.append(history.build())
    return POLICIES[0], sets


def test_evidence_arriving_in_date_order_resumes_every_time() -> None:
    policy, sets = _grown(30)
    kept, _ = _checked((policy, sets[0]), sets[0].chronological()[-1].occurred_on, None)
    resumed = []
    for evidence in sets[1:]:
        kept, did = _checked((policy, evidence), evidence.chronological()[-1].occurred_on, kept)
        resumed.append(did)
    assert all(resumed)


def _kept_after(policy: Policy, evidence: EvidenceSet, as_of: date) -> ReplaySnapshot:
    kept = replay(policy, evidence, as_of, keep=True).kept
    assert kept is not None
    return kept


def _resumes(policy: Policy, evidence: EvidenceSet, as_of: date, kept: ReplaySnapshot) -> bool:
    _, did = _checked((policy, evidence), as_of, kept)
    return did


def _with(evidence: EvidenceSet, kind: str, on: date, **changes: object) -> EvidenceSet:
    """``evidence`` and one more item like its first of ``kind``, dated ``on``."""
    like = next(item for item in evidence.values() if item.kind == kind)
    added = like.model_copy(update={"event_id": "added-1", "occurred_on": on, **changes})
    return evidence.with_items(added)


def test_falls_back_to_a_fresh_replay_when_an_item_arrives_dated_before_the_cut() -> None:
    policy, sets = _grown(6)
    kept = _kept_after(policy, sets[-2], date(2026, 12, 31))
    late = _with(sets[-2], "coaching_session_held", kept.cut - timedelta(days=1))
    assert not _resumes(policy, late, date(2026, 12, 31), kept)
    assert _resumes(
        policy, _with(sets[-2], "coaching_session_held", kept.cut), date(2026, 12, 31), kept
    )


def test_falls_back_when_an_item_before_the_cut_is_withdrawn_or_decided_again() -> None:
    policy, sets = _grown(6)
    kept = _kept_after(policy, sets[-2], date(2026, 12, 31))
    early = [item for item in sets[-1].values() if item.occurred_on < kept.cut]
    rest = [item for item in sets[-1].values() if item.occurred_on >= kept.cut]
    pid = sets[-1].practitioner_id
    assert not _resumes(policy, EvidenceSet(pid, early[1:] + rest), date(2026, 12, 31), kept)
    observation = next(i for i in early if i.kind == "observation_recorded")
    changed = observation.model_copy(update={"total_percent": 60.0})
    again = [changed if i is observation else i for i in early]
    assert not _resumes(policy, EvidenceSet(pid, again + rest), date(2026, 12, 31), kept)


def test_falls_back_under_another_policy_or_an_earlier_day() -> None:
    policy, sets = _grown(6)
    kept = _kept_after(policy, sets[-2], date(2026, 12, 31))
    assert not _resumes(POLICIES[2], sets[-1], date(2026, 12, 31), kept)
    assert not _resumes(policy, sets[-1], kept.cut - timedelta(days=1), kept)
    assert _resumes(policy, sets[-1], kept.cut, kept)


def test_falls_back_when_a_later_roster_change_moves_tenure_before_the_cut() -> None:
    _, sets = _grown(6)
    policy = STRICT_POLICY  # tenure of 120 and 500 days
    kept = _kept_after(policy, sets[-2], date(2026, 12, 31))
    moved = RosterDetailsChanged(
        event_id="moved-1",
        practitioner_id=sets[-2].practitioner_id,
        occurred_on=kept.cut,
        changed=("program_start",),
        role="facilitator",
        program_start=kept.cut - timedelta(days=400),
    )
    assert not _resumes(policy, sets[-2].with_items(moved), date(2026, 12, 31), kept)
    later = moved.model_copy(update={"program_start": kept.cut})
    assert _resumes(policy, sets[-2].with_items(later), date(2026, 12, 31), kept)
