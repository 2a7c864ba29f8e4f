"""Order-independence is a property of the system: any order of the same evidence, sent
through the four services' APIs, ends in the state the date-ordered send ends in.

A practitioner's history (tests/e2e/practitioner_evidence.py) is sent once in practice-date
order, then, for each example hypothesis draws, in a permutation for a new practitioner of
the same agency; certification's state and the evidence it holds must come out the same.
The services run once for all examples, so each example costs only its requests.

Both sends are imports: each runs inside a certification import window, so agency apps
hear nothing while it is open, and once it closes they hear the net transitions, which
must be the same for any order too (`Outcome.published`).
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.testing.apps import bearer
from tests.e2e.practitioner_evidence import (
    ADMIN,
    CALIBRATED_ON,
    COACH,
    OBSERVER,
    PROGRAM_START,
    CertificationView,
    Send,
    certification_view,
    evidence_for,
    expected_evidence_count,
    send,
)
from tests.e2e.test_certification_across_services import Agency, four_services
from tests.fidelity.fidelity_builders import (
    TEAM_MEETING_INDICATORS,
    attempt,
    gold_standard,
    reference,
)

EVIDENCE_PER_PRACTITIONER = len(evidence_for("anyone"))
_practitioners = itertools.count(1)


@pytest.fixture
async def agency(settings_for: Callable[..., Any], agency_id: str) -> AsyncIterator[Agency]:
    async with four_services(settings_for, agency_id) as running:
        await calibrate_observers(running)
        yield running


@dataclass(frozen=True)
class Outcome:
    """What an import of one history ends in: certification's view, and what agency apps
    were told once the import window closed (nothing while it was open)."""

    view: CertificationView
    held_while_open: tuple[str, ...]
    published: tuple[str, ...]


@pytest.fixture
async def date_ordered(agency: Agency) -> Outcome:
    """The history sent in practice-date order (the reference)."""
    return await imported_history(agency, "prac-in-order", order=None, expected=None)


async def imported_history(
    agency: Agency, practitioner_id: str, order: Sequence[int] | None, expected: Outcome | None
) -> Outcome:
    """The history sent inside an import window, settled, then the window closed."""
    window = await agency.certification.post(
        "/import-windows", {"label": f"history of {practitioner_id}"}, "admin", subject=ADMIN
    )
    await record_history(agency, practitioner_id, order)
    view = await settled(agency, practitioner_id, expected=expected.view if expected else None)
    held = await published_transitions(agency, practitioner_id)
    await agency.certification.post(
        f"/import-windows/{window['id']}/close", {}, "admin", subject=ADMIN
    )
    return Outcome(view, held, await published_transitions(agency, practitioner_id))


async def published_transitions(agency: Agency, practitioner_id: str) -> tuple[str, ...]:
    """The practitioner's published transition events, in publication order, without what
    differs between two practitioners with the same history (ids, recording times)."""
    certification = agency.certification
    headers = bearer(certification.settings, certification.agency_id, "admin", subject=ADMIN)
    found: list[str] = []
    params: dict[str, str] = {"limit": "100"}
    while True:
        response = await certification.client.get(
            f"/practitioners/{practitioner_id}/transitions", params=params, headers=headers
        )
        assert response.status_code == 200, response.text
        page = response.json()
        for event in page["items"]:
            found.append(
                json.dumps(
                    {key: event[key] for key in PUBLISHED_CONTENT}
                    | {"corrects": len(event["corrects"])},
                    sort_keys=True,
                )
            )
        if not page.get("next_cursor"):
            return tuple(found)
        params["cursor"] = page["next_cursor"]


PUBLISHED_CONTENT = (
    "type", "level", "kind", "effective_on", "true_effective_on", "from_status", "to_status",
    "policy_version", "correction",
)  # fmt: skip


async def record_history(agency: Agency, practitioner_id: str, order: Sequence[int] | None) -> None:
    """Set the practitioner up, then send their evidence in `order` (indexes into the
    date-ordered list; None sends it in practice-date order). The one place both sends
    go through, e.g. to hold them in an import window."""
    await set_up(agency, practitioner_id)
    evidence: list[Send] = evidence_for(practitioner_id)
    for index in order if order is not None else range(len(evidence)):
        await send(agency, evidence[index])


async def calibrate_observers(agency: Agency) -> None:
    gold = gold_standard(TEAM_MEETING_INDICATORS)
    for observer in (COACH, OBSERVER):
        ref = await agency.fidelity.post(
            "/calibration/references",
            reference(meeting_date=CALIBRATED_ON, gold=gold),
            "admin",
            subject=ADMIN,
        )
        await agency.fidelity.post(
            "/calibration/attempts",
            attempt(ref["id"], CALIBRATED_ON, gold),
            "observer",
            subject=observer,
        )


async def set_up(agency: Agency, practitioner_id: str) -> None:
    """The roster entry, the learning enrollment and the coach assignment (not permuted)."""
    registration = {
        "practitioner_id": practitioner_id,
        "role": "facilitator",
        "program_start": PROGRAM_START.isoformat(),
        "coach_id": COACH,
        "supervisor_id": "sup-sam",
    }
    await agency.certification.post("/practitioners", registration, "admin", subject=ADMIN)
    enrollment = {"practitioner_id": practitioner_id, "enrolled_on": PROGRAM_START.isoformat()}
    await agency.learning.post("/enrollments", enrollment, "admin", subject=ADMIN)
    assignment = {
        "coach_id": COACH,
        "practitioner_id": practitioner_id,
        "valid_from": PROGRAM_START.isoformat(),
        "valid_to": None,
    }
    await agency.coaching.post("/assignments", assignment, "admin", subject=ADMIN)


async def settled(
    agency: Agency, practitioner_id: str, expected: CertificationView | None
) -> CertificationView:
    """The view once certification has taken in every event and stays there for a while.

    Settled means: all the evidence the scenario implies is in (and, with `expected`, the
    view is that one) for a second, or all of it is in for three seconds (a different
    view, returned for the assertion to show). A view that never settles is returned as
    it last was.
    """
    count = expected_evidence_count()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    stable_since, last = loop.time(), await certification_view(agency, practitioner_id)
    while loop.time() < deadline:
        await asyncio.sleep(0.25)
        view = await certification_view(agency, practitioner_id)
        if view != last:
            stable_since, last = loop.time(), view
            continue
        complete = len(last.evidence) == count
        quiet_for = loop.time() - stable_since
        if complete and (quiet_for >= 3.0 or (quiet_for >= 1.0 and last == (expected or last))):
            return last
    return last


@settings(
    max_examples=8,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(order=st.permutations(range(EVIDENCE_PER_PRACTITIONER)))
async def test_any_order_of_the_evidence_ends_in_the_date_ordered_state_and_publications(
    agency: Agency, date_ordered: Outcome, order: list[int]
) -> None:
    practitioner_id = f"prac-shuffled-{next(_practitioners)}"

    shuffled = await imported_history(agency, practitioner_id, order, expected=date_ordered)

    reference = date_ordered.view
    assert '"status": "certified"' in reference.state  # the reference reaches a grant
    assert len(reference.evidence) == expected_evidence_count()
    assert shuffled.view.evidence == reference.evidence
    assert shuffled.view.state == reference.state
    # agency apps heard nothing while the import was open, then the same net transitions
    assert date_ordered.held_while_open == shuffled.held_while_open == ()
    assert any('"to_status": "certified"' in event for event in date_ordered.published)
    assert shuffled.published == date_ordered.published
