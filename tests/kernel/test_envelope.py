"""Events on the wire are CloudEvents 1.0 in JSON structured mode."""

from __future__ import annotations

from cloudevents.core.formats.json import JSONFormat

from tests.kernel.probe import Probe, pending


async def test_a_stored_event_becomes_a_cloudevent_the_sdk_parses(probe: Probe) -> None:
    [stored] = await probe.append("s", pending("practitioner-7", 5, agency="agency-x"))
    envelope = stored.to_cloudevent("probe")

    # the SDK validates required attributes and extension names while reading
    parsed = JSONFormat().read(None, envelope.to_json())

    assert parsed.get_specversion() == "1.0"
    assert parsed.get_id() == str(stored.event_id)
    assert parsed.get_source() == "/miiwrap/probe"
    assert parsed.get_type() == "org.miiwrap.probe.amount_recorded.v1"
    assert parsed.get_subject() == "practitioner-7"
    assert parsed.get_datacontenttype() == "application/json"
    assert parsed.get_extension("agencyid") == "agency-x"
    assert parsed.get_data() == {"amount": 5}
    # `time` is the practice time, kept apart from when it was recorded
    assert parsed.get_time() == stored.occurred_at
    assert parsed.get_extension("recordedtime") is not None
    # and the SDK's own serialisation is readable by ours
    assert JSONFormat().read(None, JSONFormat().write(parsed)).get_id() == str(stored.event_id)
