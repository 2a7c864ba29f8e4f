"""Re-evaluating one practitioner: fold, publish what is news, store the statuses.

Called with the practitioner's lock held, inside the transaction that brought the
reason to re-evaluate (new evidence, an admin action, a policy adoption, the clock,
a rebuild, an import window's close), so the evidence, the transition events and the
status rows commit together.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from services.certification.adapters import evaluation_reads, status_rows, window_rows
from services.certification.adapters.evaluation_reads import EvaluationInputs
from services.certification.adapters.metrics import FOLD_SECONDS, TRANSITIONS_PUBLISHED
from services.certification.adapters.projector import project
from services.certification.adapters.replay_snapshots import KEPT_REPLAYS
from services.certification.domain.evaluate import fold_timeline, replay
from services.certification.domain.events import (
    TRANSITION_EVENT_NAMES,
    TRANSITION_EVENTS,
    Explanation,
    TransitionSettled,
    TransitionsRetracted,
)
from services.certification.domain.evidence import (
    CertificationReinstated,
    CertificationRevoked,
    EvidenceSet,
    chronological_key,
)
from services.certification.domain.netting import plan_net_publication
from services.certification.domain.policy import Policy
from services.certification.domain.publication import Announced, PlannedEvent, plan_publication
from services.certification.domain.replay_snapshot import ReplaySnapshot
from services.certification.domain.schedule import next_change_on
from services.certification.domain.state import CertificationState
from services.certification.domain.transitions import Transition, TransitionKind
from services.certification.handlers.credentials import follow_publication
from services.certification.models.certification import state_json
from shared.database import Connection
from shared.events import PendingEvent, StoredEvent
from shared.eventstore import EventStore
from shared.naming import stream_id
from shared.practice_time import as_practice_datetime

SYSTEM_ACTOR = "certification"


def transitions_stream(agency_id: str, practitioner_id: str) -> str:
    return stream_id("certification", agency_id, practitioner_id)


@dataclass(frozen=True)
class Evaluated:
    state: CertificationState
    published: list[StoredEvent]
    next_change_on: date | None = None  # as stored with the statuses


async def refresh(
    conn: Connection,
    store: EventStore,
    agency_id: str,
    practitioner_id: str,
    today: date,
    *,
    policy: Policy | None = None,
    evidence: EvidenceSet | None = None,
    announced: list[Announced] | None = None,
    actor: str | None = None,
    closing_window: str | None = None,
    inputs: EvaluationInputs | None = None,
) -> Evaluated:
    """Evaluate as of ``today`` under the adopted policy (or ``policy``) and publish news.

    While the agency has an open import window, the statuses are stored but nothing is
    published: the practitioner is held until the window closes. Closing it
    (``closing_window``) publishes the net transitions (domain/netting.py).
    """
    evaluated = await refresh_many(
        conn,
        store,
        agency_id,
        [practitioner_id],
        today,
        policy=policy,
        evidence=None if evidence is None else {practitioner_id: evidence},
        announced=None if announced is None else {practitioner_id: announced},
        actors={practitioner_id: actor},
        closing_window=closing_window,
        inputs=inputs,
    )
    return evaluated[practitioner_id]


async def refresh_many(
    conn: Connection,
    store: EventStore,
    agency_id: str,
    practitioner_ids: Sequence[str],
    today: date,
    *,
    policy: Policy | None = None,
    evidence: Mapping[str, EvidenceSet] | None = None,
    announced: Mapping[str, list[Announced]] | None = None,
    actors: Mapping[str, str | None] | None = None,
    closing_window: str | None = None,
    inputs: EvaluationInputs | None = None,
) -> dict[str, Evaluated]:
    """`refresh` for several practitioners of one agency, with a fixed number of round
    trips (policy, window and evidence, announced, one append and projection of the news,
    one status write) instead of a few per practitioner. ``evidence`` (when given) must
    hold every practitioner that has any, ``announced`` (when given) what is on record
    for each; ``actors`` names who each one's news is by; ``inputs`` (when given) were
    read by the caller under the practitioners' locks (no read here).
    """
    ids = list(dict.fromkeys(practitioner_ids))
    if not ids:
        return {}
    if inputs is None:
        inputs = await evaluation_reads.evaluation_inputs(
            conn, agency_id, ids, with_evidence=evidence is None
        )
    policy = policy or inputs.adopted_policy()
    holding = None if closing_window else inputs.open_window_id
    if evidence is None:
        evidence = inputs.evidence
    evidence_of = {pid: evidence.get(pid) or EvidenceSet(pid) for pid in ids}
    states: dict[str, CertificationState] = {}
    next_changes: dict[str, date | None] = {}
    kept: dict[str, ReplaySnapshot | None] = {}
    for pid in ids:  # one timeline folds and schedules each practitioner, then is dropped
        with FOLD_SECONDS.time():
            timeline = fold_timeline(policy, evidence_of[pid], today)
            replayed = replay(
                policy,
                evidence_of[pid],
                today,
                timeline=timeline,
                resume=KEPT_REPLAYS.get(agency_id, pid),
                keep=True,
            )
        states[pid], kept[pid] = replayed.state, replayed.kept
        KEPT_REPLAYS.keep(agency_id, pid, replayed.kept)
        next_changes[pid] = next_change_on(policy, evidence_of[pid], states[pid], timeline=timeline)
    published: dict[str, list[StoredEvent]] = {pid: [] for pid in ids}
    if holding is not None:
        await window_rows.hold(conn, agency_id, holding, ids)
    else:
        if announced is None:
            announced = await status_rows.announced_of(conn, agency_id, ids)
        pending = {
            pid: _news(
                agency_id,
                policy,
                evidence_of[pid],
                states[pid],
                announced[pid],
                today,
                actor=(actors or {}).get(pid),
                closing_window=closing_window,
                kept=kept[pid],
            )
            for pid in ids
        }
        streams = {transitions_stream(agency_id, pid): pid for pid in ids}
        news = await store.append_streams(
            conn, [(stream, pending[pid]) for stream, pid in streams.items()]
        )
        for event in news:
            published[streams[event.stream_id]].append(event)
        if news:
            await project(conn, news)
            for stored in news:
                if stored.name in TRANSITION_EVENT_NAMES:
                    TRANSITIONS_PUBLISHED.labels(stored.name).inc()
        for pid in ids:
            if published[pid]:
                await follow_publication(
                    conn, store, agency_id, evidence_of[pid], policy, published[pid], today
                )
    await status_rows.save_evaluations(
        conn,
        agency_id,
        [
            status_rows.StoredEvaluation(
                state=states[pid],
                next_change_on=next_changes[pid],
                body=state_json(states[pid]),
            )
            for pid in ids
        ],
    )
    return {
        pid: Evaluated(
            state=states[pid], published=published[pid], next_change_on=next_changes[pid]
        )
        for pid in ids
    }


def _news(
    agency_id: str,
    policy: Policy,
    evidence: EvidenceSet,
    state: CertificationState,
    announced: list[Announced],
    today: date,
    *,
    actor: str | None,
    closing_window: str | None,
    kept: ReplaySnapshot | None = None,
) -> list[PendingEvent]:
    """The events that tell what ``state`` changes in what was already announced."""
    practitioner_id = evidence.practitioner_id
    plan = (
        plan_net_publication(announced, state)
        if closing_window
        else plan_publication(announced, state)
    )
    folded = {state.as_of: state}  # the fold as of each transition's day, once per day
    pending = [
        _settled_event(agency_id, policy, practitioner_id, t, closing_window or "", actor)
        for t in plan.settled
    ]
    pending += [
        _transition_event(agency_id, policy, evidence, planned, actor, folded, kept)
        for planned in plan.events
    ]
    if plan.retracted_silently:
        pending.append(
            PendingEvent(
                event=TransitionsRetracted(
                    practitioner_id=practitioner_id, event_ids=plan.retracted_silently
                ),
                agency_id=agency_id,
                subject=practitioner_id,
                occurred_at=as_practice_datetime(today),
                actor=actor or f"{agency_id}/{SYSTEM_ACTOR}",
            )
        )
    return pending


def _transition_event(
    agency_id: str,
    policy: Policy,
    evidence: EvidenceSet,
    planned: PlannedEvent,
    actor: str | None,
    folded: dict[date, CertificationState],
    kept: ReplaySnapshot | None,
) -> PendingEvent:
    transition = planned.transition
    if transition.on not in folded:  # resumed from ``kept`` when the day is on or after its cut
        folded[transition.on] = replay(policy, evidence, transition.on, resume=kept).state
    on_the_day = folded[transition.on].level(transition.level_key)
    event_class = TRANSITION_EVENTS[transition.kind.value]
    event = event_class(
        practitioner_id=evidence.practitioner_id,
        level=transition.level_key,
        level_title=policy.level(transition.level_key).title,
        policy_id=policy.id,
        policy_version=policy.version,
        effective_on=planned.published_on,
        true_effective_on=transition.on,
        from_status=transition.from_status.value,
        to_status=transition.to_status.value,
        reason=_admin_reason(evidence, planned),
        explanation=Explanation(
            reasons=list(transition.reasons),
            evidence_ids=list(transition.evidence_ids),
            requirements=list(on_the_day.requirements),
            maintenance=list(on_the_day.maintenance),
        ),
        correction=planned.correction,
        corrects=list(planned.corrects),
    )
    return PendingEvent(
        event=event,
        agency_id=agency_id,
        subject=evidence.practitioner_id,
        occurred_at=as_practice_datetime(planned.published_on),
        actor=actor or f"{agency_id}/{SYSTEM_ACTOR}",
        event_id=uuid.uuid4(),
    )


def _settled_event(
    agency_id: str,
    policy: Policy,
    practitioner_id: str,
    transition: Transition,
    window_id: str,
    actor: str | None,
) -> PendingEvent:
    return PendingEvent(
        event=TransitionSettled(
            practitioner_id=practitioner_id,
            window_id=window_id,
            level=transition.level_key,
            kind=transition.kind.value,
            effective_on=transition.on,
            from_status=transition.from_status.value,
            to_status=transition.to_status.value,
            policy_id=policy.id,
            policy_version=policy.version,
            reasons=list(transition.reasons),
            evidence_ids=list(transition.evidence_ids),
        ),
        agency_id=agency_id,
        subject=practitioner_id,
        occurred_at=as_practice_datetime(transition.on),
        actor=actor or f"{agency_id}/{SYSTEM_ACTOR}",
    )


def _admin_reason(evidence: EvidenceSet, planned: PlannedEvent) -> str | None:
    """The admin's reason behind a revocation or reinstatement (None for rule transitions)."""
    transition = planned.transition
    for event_id in transition.evidence_ids:
        item = evidence.get(event_id)
        if isinstance(item, CertificationRevoked | CertificationReinstated):
            return item.reason
    if planned.correction and transition.kind in (
        TransitionKind.REVOKED,
        TransitionKind.REINSTATED,
    ):
        # e.g. a revocation lifted the same day: the fold keeps no trace, the correction
        # carries the latest decision's reason
        wanted = (
            CertificationRevoked
            if transition.kind is TransitionKind.REVOKED
            else CertificationReinstated
        )
        decisions = [
            item
            for item in evidence.values()
            if isinstance(item, wanted) and item.level_key in (None, transition.level_key)
        ]
        return max(decisions, key=chronological_key).reason if decisions else None
    return None
