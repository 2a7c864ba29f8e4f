"""docs/asyncapi.json describes exactly the events the services publish."""

from __future__ import annotations

import json
import re
from pathlib import Path

from system.asyncapi import build_document, render

DOCS = Path(__file__).parents[2] / "docs"


def test_the_committed_asyncapi_document_matches_the_code() -> None:
    committed = (DOCS / "asyncapi.json").read_text()
    assert committed == render(), "run `python -m system.asyncapi > docs/asyncapi.json`"


def test_every_contract_event_is_a_channel_on_its_agency_subject() -> None:
    document = build_document()
    contract = (DOCS / "events.md").read_text()
    sections = re.split(r"^## ", contract, flags=re.M)[1:]
    contract_events = {
        (section.split()[0], name)
        for section in sections
        for first_cell in re.findall(r"^\| (`[^|]+) \|", section, flags=re.M)
        for name in re.findall(r"`([a-z_]+)`", first_cell)
    }
    assert len(contract_events) >= 15
    for service, name in contract_events:
        channel = document["channels"][f"{service}.{name}"]
        assert channel["address"] == f"miiwrap.{service}.{{agency}}.{name}.{{subject}}"
        message = document["components"]["messages"][f"{service}.{name}"]
        assert message["payload"]["properties"]["type"]["const"].startswith(
            f"org.miiwrap.{service}.{name}.v"
        )
    assert document["asyncapi"] == "3.0.0"
    assert json.loads(render()) == document
