"""Bring a learner's lapse announcements in line with their history, in the same append.

Every write that can change what a review history implies (a review, a mastery, a
retraction) and the periodic check call :func:`lapse_events` on the state *after* the
write: it announces the lapses the history implies with their true practice dates,
restores the ones a review ended, and withdraws (``evidence_withdrawn``) the ones it
no longer implies. Decided under the learner's lock on the whole stream, so each
lapse episode is announced once however the writes and checks interleave.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from services.learning.domain.catalog import Catalog
from services.learning.domain.events import (
    ConceptLapsed,
    ConceptRestored,
    EvidenceWithdrawn,
    ModuleMastered,
    registry,
)
from services.learning.domain.lapse import LapseEpisode
from services.learning.domain.lapse_history import ImpliedLapse, LapseChanges
from services.learning.domain.learner import LearnerState, decide_lapse_changes
from services.learning.handlers.context import LearningContext
from shared.database import Connection
from shared.events import DomainEvent, StoredEvent
from shared.practice_time import as_practice_datetime

# (event, its practice time): what the handler wraps in `pending_event`
TimedEvent = tuple[DomainEvent, datetime]


async def reconciled_lapses(
    learning: LearningContext,
    conn: Connection,
    stream_id: str,
    state: LearnerState,
    catalog: Catalog,
    now: datetime,
) -> list[TimedEvent]:
    """The lapse events ``state`` calls for at ``now`` (the stream is read only to name
    the events of withdrawn episodes)."""
    changes = decide_lapse_changes(state, now, learning.review_policy)
    if not changes:
        return []
    stream = await learning.store.read_stream(stream_id, conn) if changes.withdrawn else []
    return lapse_events(state, changes, episode_event_ids(stream), catalog)


def lapse_events(
    state: LearnerState,
    changes: LapseChanges,
    ids: dict[LapseEpisode, list[str]],
    catalog: Catalog,
) -> list[TimedEvent]:
    """Withdrawals first, then restorations of open lapses, then new lapses in the order
    they happened, each followed by its restoration when a review already ended it."""
    events: list[TimedEvent] = []
    for episode in changes.withdrawn:
        announced = state.lapses[episode]
        events.append(
            (
                EvidenceWithdrawn(
                    practitioner_id=state.practitioner_id,
                    retracted_event_ids=ids.get(episode, []),
                    reason=(
                        f"{episode.concept_id} lapse of {announced.lapsed_on} is not what the "
                        "review history implies"
                    ),
                    concept_id=episode.concept_id,
                    due_at=episode.due,
                    module_id=None,
                    attempt_id=None,
                ),
                as_practice_datetime(announced.lapsed_on),
            )
        )
    module_of = {
        lapse.concept_id: catalog.module_of_concept(lapse.concept_id).id
        for lapse in (*changes.restored, *changes.lapsed)
    }
    for lapse in changes.restored:
        events.append(_restoration(state, lapse, module_of))
    for lapse in changes.lapsed:
        lapsed = ConceptLapsed(
            practitioner_id=state.practitioner_id,
            concept_id=lapse.concept_id,
            module_id=module_of[lapse.concept_id],
            lapsed_on=lapse.lapsed_on,
            due_at=lapse.episode.due,
        )
        events.append((lapsed, lapse.lapsed_at))
        if lapse.restored_at is not None:
            events.append(_restoration(state, lapse, module_of))
    return events


def _restoration(state: LearnerState, lapse: ImpliedLapse, module_of: dict[str, str]) -> TimedEvent:
    assert lapse.restored_at is not None and lapse.restored_on is not None
    restored = ConceptRestored(
        practitioner_id=state.practitioner_id,
        concept_id=lapse.concept_id,
        module_id=module_of[lapse.concept_id],
        restored_on=lapse.restored_on,
    )
    return restored, lapse.restored_at


def episode_event_ids(stream: Sequence[StoredEvent]) -> dict[LapseEpisode, list[str]]:
    """The ids of each announced (not withdrawn) episode's lapse and restoration events."""
    ids: dict[LapseEpisode, list[str]] = {}
    open_episode: dict[str, LapseEpisode] = {}
    for stored in stream:
        if stored.name not in ("concept_lapsed", "concept_restored", "evidence_withdrawn"):
            continue
        event = registry.decode_stored(stored)
        if isinstance(event, ConceptLapsed):
            episode = LapseEpisode(concept_id=event.concept_id, due=event.due_at)
            ids[episode] = [str(stored.event_id)]
            open_episode[event.concept_id] = episode
        elif isinstance(event, ConceptRestored) and event.concept_id in open_episode:
            ids[open_episode.pop(event.concept_id)].append(str(stored.event_id))
        elif isinstance(event, EvidenceWithdrawn) and event.concept_id and event.due_at:
            withdrawn = LapseEpisode(concept_id=event.concept_id, due=event.due_at)
            ids.pop(withdrawn, None)
            if open_episode.get(event.concept_id) == withdrawn:
                del open_episode[event.concept_id]
    return ids


def mastery_event_id(stream: Sequence[StoredEvent], attempt_id: str) -> str | None:
    """The id of the `module_mastered` event a mastering attempt produced, if any."""
    for stored in stream:
        if stored.name == "module_mastered":
            event = registry.decode_stored(stored)
            if isinstance(event, ModuleMastered) and event.attempt_id == attempt_id:
                return str(stored.event_id)
    return None
