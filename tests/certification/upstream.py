"""Upstream evidence as the other services put it on the wire, for certification tests.

`UpstreamHistory` builds CloudEvents in the shape of docs/events.md (learning,
coaching, fidelity) for one practitioner; `publish` appends them to the real
JetStream streams the certification consumers read. The canonical history earns the
default Facilitator level on GRANT_DAY, like the unit builders' history:

- registered 2025-01-06 with coach ``coach-1`` (done through the certification API);
- modules M1…M6 mastered every 4 weeks from 2025-02-03, each after the previous;
- coaching with practice and feedback on the 15th of Feb–Dec 2025;
- all eight competencies rated independent on 2025-10-15;
- obs-1 on 2025-10-20 (86%) by the coach, obs-2 on 2025-12-01 (83%) by ``observer-9``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Self

from nats.aio.client import Client

from services.certification.domain.upstream import delivered
from shared.config import event_subject, stream_name
from shared.envelope import CloudEvent, event_source, event_type
from shared.messaging import ensure_stream

COMPETENCIES = ("ENG", "STR", "FAC", "NEED", "SAFE", "NAT", "MON", "TRAN")
PROGRAM_START = date(2025, 1, 6)
GRANT_DAY = date(2025, 12, 1)
TODAY = date(2026, 1, 10)
COACH = "coach-1"
INDEPENDENT_OBSERVER = "observer-9"
DOMAINS = ("engagement", "teamwork", "planning", "outcomes")


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


class UpstreamHistory:
    """A fluent list of one practitioner's upstream events (subject, CloudEvent)."""

    def __init__(self, agency_id: str, practitioner_id: str) -> None:
        self.agency_id = agency_id
        self.practitioner_id = practitioner_id
        self.events: list[CloudEvent] = []
        self._observations = 0

    @classmethod
    def certified_facilitator(cls, agency_id: str, practitioner_id: str) -> UpstreamHistory:
        history = cls(agency_id, practitioner_id)
        for order in range(1, 7):
            history.mastered(order, date(2025, 2, 3) + timedelta(days=28 * (order - 1)))
        for month in range(2, 13):
            history.coached(date(2025, month, 15))
        for competency in COMPETENCIES:
            history.rated(competency, "independent", date(2025, 10, 15))
        history.observed(date(2025, 10, 20), total=86, observer=COACH)
        history.observed(GRANT_DAY, total=83, observer=INDEPENDENT_OBSERVER)
        return history

    def _add(self, service: str, name: str, on: date, data: dict[str, Any]) -> Self:
        self.events.append(
            CloudEvent(
                id=str(uuid.uuid4()),
                source=event_source(service),
                type=event_type(service, name, 1),
                subject=self.practitioner_id,
                time=noon(on),
                agencyid=self.agency_id,
                actor=f"{self.agency_id}/someone",
                recordedtime=noon(on),
                data={"practitioner_id": self.practitioner_id, **data},
            )
        )
        return self

    def mastered(self, order: int, on: date, *, previous_mastered: bool = True) -> Self:
        return self._add(
            "learning",
            "module_mastered",
            on,
            {
                "module_id": f"M{order}",
                "module_order": order,
                "mastered_at": noon(on).isoformat(),
                "previous_module_mastered": previous_mastered,
                "attempt_id": str(uuid.uuid4()),
                "source_statement_id": None,
            },
        )

    def concept_lapsed(self, concept_id: str, on: date) -> Self:
        return self._add(
            "learning",
            "concept_lapsed",
            on,
            {
                "concept_id": concept_id,
                "module_id": "M1",
                "lapsed_on": on.isoformat(),
                "due_at": noon(on - timedelta(days=30)).isoformat(),
            },
        )

    def assessment_attempted(self, on: date) -> Self:
        """Not evidence for certification: the consumer records and skips it."""
        return self._add(
            "learning",
            "assessment_attempted",
            on,
            {
                "attempt_id": str(uuid.uuid4()),
                "module_id": "M1",
                "module_order": 1,
                "assessment_id": "A1",
                "scaled_score": 0.5,
                "passed": False,
                "attempted_at": noon(on).isoformat(),
                "source_statement_id": None,
            },
        )

    def coached(
        self, on: date, components: Sequence[str] = ("observation", "practice", "feedback")
    ) -> Self:
        return self._add(
            "coaching",
            "coaching_session_held",
            on,
            {
                "session_id": str(uuid.uuid4()),
                "coach_id": COACH,
                "held_on": on.isoformat(),
                "duration_minutes": 60,
                "modality": "live_coaching",
                "components": list(components),
                "competencies": ["FAC"],
                "goal_ids": [],
            },
        )

    def rated(self, competency: str, level: str, on: date) -> Self:
        return self._add(
            "coaching",
            "skill_rated",
            on,
            {
                "rating_id": str(uuid.uuid4()),
                "rater_id": COACH,
                "competency": competency,
                "level": level,
                "rated_on": on.isoformat(),
                "source_type": "session",
                "source_id": str(uuid.uuid4()),
            },
        )

    def observed(
        self,
        on: date,
        *,
        total: float = 86,
        observer: str = INDEPENDENT_OBSERVER,
        calibrated: bool = True,
        kind: str = "team_meeting",
        imported: bool = False,
    ) -> Self:
        """An observation; ``imported`` marks one entered from a paper form (the field is
        sent only then: events recorded before fidelity had it carry none)."""
        self._observations += 1
        return self._add(
            "fidelity",
            "observation_recorded",
            on,
            {
                "observation_id": f"obs-{self._observations}",
                "observer_id": observer,
                "instrument_key": f"{kind.replace('_', '-')}-observation",
                "instrument_version": 1,
                "instrument_kind": kind,
                "meeting_date": on.isoformat(),
                "setting": "home",
                "total": total,
                "band": "high" if total > 85 else "adequate",
                "domain_scores": dict.fromkeys(DOMAINS, total),
                "observer_calibrated": calibrated,
                "co_observation_of": None,
                **({"imported": True} if imported else {}),
            },
        )


async def publish(
    nats: Client, subject_root: str, events: Iterable[CloudEvent], *, deduplicate: bool = True
) -> int:
    """Append the events to their service's stream, as that service's relay would.

    With ``deduplicate=False`` no `Nats-Msg-Id` is sent, so a repeat is stored twice
    and delivered twice: what an at-least-once redelivery looks like to a consumer.
    Returns how many of them certification's consumers receive (the events it
    subscribes to: an assessment attempt, say, is stored but never delivered).
    """
    js = nats.jetstream()
    ready: set[str] = set()
    count = 0
    for event in events:
        service = event.service
        if service not in ready:
            subjects = [f"{subject_root}.{service}.>"]
            await ensure_stream(js, stream_name(subject_root, service), subjects)
            ready.add(service)
        headers = {"Nats-Msg-Id": event.id} if deduplicate else None
        subject = event_subject(
            subject_root, service, event.agencyid, event.event_name, event.subject
        )
        await js.publish(subject, event.to_json(), headers=headers)
        count += delivered(service, event.event_name)
    return count
