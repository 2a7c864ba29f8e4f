"""Stored evidence is parsed many items at a time; each comes out as it would alone."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pydantic import ValidationError

from services.certification.domain.evidence import EVIDENCE_ADAPTER, parse_evidence
from tests.certification.unit.certification_builders import PractitionerHistory


def stored_texts(count: int) -> list[str]:
    history = PractitionerHistory.certified_facilitator()
    for n in range(count - len(history.items)):
        history.coached(date(2026, 1, 5) + timedelta(days=n))
    return [EVIDENCE_ADAPTER.dump_json(item).decode() for item in history.items]


def test_parsing_many_stored_items_gives_each_as_parsed_alone_in_order() -> None:
    texts = stored_texts(2100)  # more than one array's worth
    assert parse_evidence(texts) == [EVIDENCE_ADAPTER.validate_json(text) for text in texts]
    assert parse_evidence([]) == []


def test_a_malformed_stored_item_is_refused_as_alone() -> None:
    texts = stored_texts(30)
    texts[17] = texts[17].replace('"occurred_on"', '"occurred"')
    with pytest.raises(ValidationError):
        parse_evidence(texts)
