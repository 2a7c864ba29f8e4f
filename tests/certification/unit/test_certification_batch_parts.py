"""A consumer batch parses each upstream event once and reads the same parts as intake."""

from __future__ import annotations

from datetime import date

import pytest

from services.certification.domain.intake import ContractViolation
from services.certification.handlers.batch_intake import BatchParts
from services.certification.handlers.intake import upstream_parts
from tests.certification.upstream import UpstreamHistory

DAY = date(2025, 10, 20)


def test_a_batch_reads_the_parts_intake_reads_and_the_same_ones_each_time() -> None:
    history = UpstreamHistory("agency-a", "prac-1").observed(DAY).coached(DAY).mastered(1, DAY)
    parts = BatchParts()

    for event in history.events:
        first = parts(event)
        assert first == upstream_parts(event)
        assert parts(event) is first  # parsed once: the same answer object again


def test_an_event_that_breaks_the_contract_is_refused_every_time_it_is_read() -> None:
    [broken] = UpstreamHistory("agency-a", "prac-1").observed(DAY).events
    broken = broken.model_copy(update={"data": {**broken.data, "meeting_date": "not a day"}})
    parts = BatchParts()

    for _ in range(2):
        with pytest.raises(ContractViolation, match="meeting_date"):
            parts(broken)


def test_another_event_is_never_given_the_parts_of_one_read_before() -> None:
    first, second = UpstreamHistory("agency-a", "prac-1").observed(DAY).observed(DAY).events
    twin = second.model_copy(update={"data": {**second.data, "practitioner_id": "prac-2"}})
    parts = BatchParts()

    parts(second)
    parts.clear()
    assert parts(first) == upstream_parts(first)
    item, _, _ = parts(twin)  # same id as `second`, other content: parsed for itself
    assert item is not None and item.practitioner_id == "prac-2"
