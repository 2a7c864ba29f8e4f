"""The stored current state is the fold: after a randomised load, for every practitioner,
`GET …/certification` (answered from the stored projection when it is current) gives
byte for byte what a fresh fold as of today gives.

The load is seeded random: histories with events dropped and observations, lapses and
calibrations added, sent shuffled, part of them inside an import window and some
before the practitioner is registered; roster changes, a policy adoption and the
clock moving, with and without the periodic job.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta

from nats.aio.client import Client

from services.certification.adapters import evidence_rows, policy_rows, status_rows
from services.certification.domain.evaluate import evaluate
from services.certification.models.certification import state_json
from tests.certification.certification_client import CertificationApi
from tests.certification.policy_drafts import policy_json, with_tenure
from tests.certification.upstream import (
    COACH,
    INDEPENDENT_OBSERVER,
    PROGRAM_START,
    TODAY,
    UpstreamHistory,
    publish,
)

SEED = 14
PRACTITIONERS = [f"pr-{i}" for i in range(8)]
OBSERVERS = (COACH, INDEPENDENT_OBSERVER, "observer-7")


def random_history(rng: random.Random, agency_id: str, practitioner_id: str) -> UpstreamHistory:
    """The canonical certified history, each event kept with odds 0.85, plus random
    observations and concept lapses, in shuffled order."""
    canonical = UpstreamHistory.certified_facilitator(agency_id, practitioner_id)
    history = UpstreamHistory(agency_id, practitioner_id)
    history.events = [event for event in canonical.events if rng.random() < 0.85]
    for _ in range(rng.randint(0, 4)):
        history.observed(
            PROGRAM_START + timedelta(days=rng.randint(200, 365)),
            total=rng.choice((55, 70, 83, 90, 95)),
            observer=rng.choice(OBSERVERS),
            calibrated=rng.random() < 0.7,
        )
    if rng.random() < 0.3:
        history.concept_lapsed("C1", PROGRAM_START + timedelta(days=rng.randint(100, 360)))
    rng.shuffle(history.events)
    return history


def calibration(agency_id: str, observer_id: str, on: date) -> UpstreamHistory:
    """Fidelity's `observer_calibrated`: a passed calibration on the team meeting tool."""
    return UpstreamHistory(agency_id, observer_id)._add(
        "fidelity",
        "observer_calibrated",
        on,
        {
            "attempt_id": f"cal-{observer_id}-{on}",
            "observer_id": observer_id,
            "instrument_key": "team-meeting-observation",
            "attempted_on": on.isoformat(),
            "expires_on": (on + timedelta(days=365)).isoformat(),
        },
    )


async def send(api: CertificationApi, nats: Client, *histories: UpstreamHistory) -> None:
    events = [event for history in histories for event in history.events]
    before = await api.consumed()
    sent = await publish(nats, api.settings.subject_root, events)
    await api.wait_consumed(before + sent)


async def assert_stored_state_is_the_fold(api: CertificationApi) -> int:
    """Every practitioner's answer equals a fresh fold as of today; how many answers came
    from a stored row as of today (each of those equal to the fold too)."""
    today = api.clock.today()
    stored_rows = 0
    roster = await api.get("/practitioners", limit=200, include_left="true")
    assert roster.status_code == 200, roster.text
    board = {row["practitioner_id"]: row for row in roster.json()["items"]}
    async with api.runtime.pool.acquire() as conn:
        policy = await policy_rows.policy_in_force(conn, api.agency_id, today)
        for practitioner_id in PRACTITIONERS:
            evidence = await evidence_rows.evidence_set(conn, api.agency_id, practitioner_id)
            folded = state_json(evaluate(policy, evidence, today))
            stored = await status_rows.stored_state(conn, api.agency_id, practitioner_id, today)
            if stored is not None:
                assert stored == folded, f"stored state of {practitioner_id} is not the fold"
                stored_rows += 1
            if board[practitioner_id]["evaluated_as_of"] == today.isoformat():
                # the roster (the agency board) shows the statuses of that same evaluation
                fold_levels = [(lv["level"], lv["status"]) for lv in json.loads(folded)["levels"]]
                listed = [(lv["level"], lv["status"]) for lv in board[practitioner_id]["levels"]]
                assert listed == fold_levels, f"{practitioner_id} on the roster"
            # the board's item (stored texts joined) is the entry read from the rows
            entry = await api.get(f"/practitioners/{practitioner_id}")
            assert entry.status_code == 200, entry.text
            listed_entry = board[practitioner_id]
            assert listed_entry == {key: entry.json()[key] for key in listed_entry}
            answer = await api.get(f"/practitioners/{practitioner_id}/certification")
            assert answer.status_code == 200, answer.text
            assert answer.content == folded.encode(), f"{practitioner_id} on {today}"
    return stored_rows


async def test_the_stored_state_equals_a_fresh_fold_for_every_practitioner_after_a_random_load(
    certification: CertificationApi, nats_client: Client
) -> None:
    api, rng = certification, random.Random(SEED)
    histories = {p: random_history(rng, api.agency_id, p) for p in PRACTITIONERS}
    early, *others = PRACTITIONERS
    await send(api, nats_client, histories[early])  # evidence before the registration
    for practitioner_id in PRACTITIONERS:
        await api.register(practitioner_id, program_start=PROGRAM_START)
    imported, live = others[:4], others[4:]

    opened = await api.post("/import-windows", {"id": "history"})
    assert opened.status_code == 201, opened.text
    await send(api, nats_client, *(histories[p] for p in imported))
    closed = await api.post("/import-windows/history/close")
    assert closed.status_code == 200, closed.text
    assert await assert_stored_state_is_the_fold(api) == len(PRACTITIONERS)

    await send(api, nats_client, *(histories[p] for p in live))
    await send(api, nats_client, calibration(api.agency_id, "observer-7", date(2025, 3, 1)))
    assert await assert_stored_state_is_the_fold(api) == len(PRACTITIONERS)

    left = await api.post(f"/practitioners/{others[0]}/leaving", {"effective_on": "2026-01-02"})
    assert left.status_code == 201, left.text
    change = {"effective_on": "2026-01-03", "coach_id": "coach-2"}
    changed = await api.post(f"/practitioners/{others[1]}/changes", change)
    assert changed.status_code == 201, changed.text
    assert await assert_stored_state_is_the_fold(api) == len(PRACTITIONERS)

    assert (await api.post("/policies", with_tenure(policy_json(2), 400))).status_code == 201
    adopted = await api.post(
        "/policies/adoptions", {"policy_id": "miiwrap-default", "policy_version": 2}
    )
    assert adopted.status_code == 201, adopted.text
    assert await assert_stored_state_is_the_fold(api) == len(PRACTITIONERS)

    api.clock.set(TODAY + timedelta(days=rng.randint(30, 90)))  # a new day, no clock job yet
    assert await assert_stored_state_is_the_fold(api) == 0  # every row stale: folded
    assert await assert_stored_state_is_the_fold(api) == len(PRACTITIONERS)  # the reads kept it
    back = {"effective_on": api.clock.today().isoformat()}
    assert (await api.post(f"/practitioners/{others[0]}/return", back)).status_code == 201

    await api.tick(date(2026, 9, 15))  # the clock job re-evaluates whoever is due
    extra = UpstreamHistory(api.agency_id, rng.choice(PRACTITIONERS))
    await send(api, nats_client, extra.observed(date(2026, 9, 1), total=90))
    assert await assert_stored_state_is_the_fold(api) >= 1
    assert await assert_stored_state_is_the_fold(api) == len(PRACTITIONERS)
