"""The example agency app prints one readable line per roster event."""

from __future__ import annotations

from examples.agency_app import describe


def event(name: str, data: dict[str, object]) -> dict[str, object]:
    return {
        "type": f"org.miiwrap.certification.{name}.v1",
        "time": "2025-06-02T12:00:00Z",
        "subject": "pr-1",
        "data": data,
    }


def test_a_details_change_names_the_fields_it_moved_and_their_new_values() -> None:
    line = describe(
        event(
            "practitioner_details_changed",
            {"changed": ["supervisor_id", "coach_id"], "supervisor_id": "sup-2", "coach_id": None},
        )
    )

    assert line.startswith("2025-06-02  practitioner_details_changed")
    assert line.endswith("supervisor_id sup-2, coach_id None")


def test_a_leaving_shows_its_reason() -> None:
    line = describe(event("practitioner_left", {"reason": "moved away"}))

    assert "pr-1" in line and line.endswith("reason: moved away")


def test_credential_events_say_what_happened_to_the_practitioners_credential() -> None:
    issued = describe(
        event("credential_issued", {"level": "facilitator", "valid_from": "2025-06-02"})
    )
    revoked = describe(
        event(
            "credential_status_changed",
            {"level": "facilitator", "status": "revoked", "reason": "lapsed"},
        )
    )

    assert issued.endswith("facilitator: credential issued, valid from 2025-06-02")
    assert revoked.endswith("facilitator: credential revoked (lapsed)")
