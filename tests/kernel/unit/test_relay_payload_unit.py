"""The relay puts an event's stored JSON payload into its CloudEvent as it is."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from shared.envelope import CloudEvent
from shared.events import StoredEvent
from shared.relay import cloudevent_json, with_data

EVENT_ID = uuid.uuid4()
DATA = {
    "practitioner_id": "prac-ü-1",
    "total": 82.5,
    "count": 3,
    "domain_scores": {"TM.ENG": 88.9, "TM.PLAN": 100},
    "ratings": [["TM.1.a", "present"], ["TM.1.b", "not_applicable"]],
    "note": 'a "quoted" line\nand another',
    "co_observation_of": None,
}


def stored(
    data: dict[str, object], metadata: dict[str, object], subject: str | None = "prac-ü-1"
) -> StoredEvent:
    moment = datetime(2025, 3, 12, 9, 30, 15, 123456, tzinfo=UTC)
    return StoredEvent(
        position=7,
        tx_id=41,
        event_id=EVENT_ID,
        stream_id="observation|agency-a|x",
        stream_version=1,
        agency_id="agency-a",
        name="observation_recorded",
        schema_version=1,
        subject=subject,
        occurred_at=moment,
        recorded_at=moment.replace(microsecond=0),
        data=data,
        metadata=metadata,
    )


@pytest.mark.parametrize("separators", [(", ", ": "), (",", ":")])
@pytest.mark.parametrize(
    "metadata", [{}, {"actor": "agency-a/obs-1", "traceparent": "00-ab-cd-01"}]
)
def test_a_payload_put_in_as_text_reads_back_as_the_cloudevent_built_from_the_decoded_payload(
    separators: tuple[str, str], metadata: dict[str, object]
) -> None:
    event = stored(DATA, metadata)
    empty = stored({}, metadata)
    # PostgreSQL prints jsonb with a space after each separator; either form is JSON
    text = json.dumps(DATA, separators=separators, ensure_ascii=False)

    payload = with_data(empty.to_cloudevent("fidelity").to_json(), text)

    assert CloudEvent.from_json(payload) == event.to_cloudevent("fidelity")


def test_an_envelope_that_does_not_end_with_its_empty_data_is_refused() -> None:
    envelope = stored({"x": 1}, {}).to_cloudevent("fidelity").to_json()

    with pytest.raises(ValueError, match="empty data"):
        with_data(envelope, "{}")


@pytest.mark.parametrize("subject", ["prac-ü-1", None])
@pytest.mark.parametrize(
    "metadata",
    [
        {},
        {"actor": "agency-a/obs-1", "traceparent": "00-ab-cd-01", "request_id": "r-1"},
        {"actor": 42},
    ],
)
def test_the_relays_envelope_is_byte_for_byte_the_cloudevent_models_json(
    subject: str | None, metadata: dict[str, object]
) -> None:
    event = stored({}, metadata, subject)
    text = json.dumps(DATA, ensure_ascii=False)

    written = cloudevent_json(event, "fidelity", text)

    assert written == with_data(event.to_cloudevent("fidelity").to_json(), text)


def test_the_relays_envelope_names_every_field_of_the_cloudevent_model() -> None:
    text = json.dumps(DATA)
    event = stored({}, {"actor": "a", "traceparent": "00-ab-cd-01"})

    written = json.loads(cloudevent_json(event, "fidelity", text))

    assert list(written) == list(CloudEvent.model_fields)


def test_a_traceparent_that_is_not_text_is_refused_as_the_model_refuses_it() -> None:
    event = stored({}, {"traceparent": 7})

    with pytest.raises(ValidationError):
        cloudevent_json(event, "fidelity", "{}")
