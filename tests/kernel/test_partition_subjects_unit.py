"""Partition subjects, filters and shares (pure; the server side is in
test_partitioned_consumers.py)."""

from __future__ import annotations

import pytest
from nats.js.api import StreamConfig

from shared.config import event_subject
from shared.messaging import service_transform
from shared.partition_subjects import (
    fair_share,
    partition_count,
    partition_durable,
    partition_filter,
    partition_transform,
    published_filter,
)


def test_an_event_subject_carries_its_practitioner_as_the_fifth_token() -> None:
    assert event_subject("miiwrap", "learning", "ag-1", "module_mastered", "pr.7") == (
        "miiwrap.learning.ag-1.module_mastered.pr%2E7"
    )


def test_an_event_about_no_one_has_the_fixed_subject_token() -> None:
    assert event_subject("miiwrap", "certification", "ag-1", "policy_adopted").endswith(
        ".policy_adopted._"
    )


def test_the_transform_partitions_by_agency_and_practitioner_tokens() -> None:
    transform = partition_transform("miiwrap", "learning", 8)
    assert transform.src == "miiwrap.learning.*.*.*"
    assert transform.dest == (
        "miiwrap.learning.{{wildcard(1)}}.{{wildcard(2)}}.{{wildcard(3)}}.{{partition(8,1,3)}}"
    )


def test_the_partition_count_is_read_back_from_the_streams_transform() -> None:
    partitioned = StreamConfig(subject_transform=partition_transform("r", "coaching", 5))
    assert partition_count(partitioned) == 5
    assert partition_count(StreamConfig(subjects=["r.coaching.>"])) is None


def test_a_stream_has_at_least_one_partition() -> None:
    with pytest.raises(ValueError, match="at least one partition"):
        partition_transform("r", "coaching", 0)


def test_only_a_services_whole_stream_gets_the_transform() -> None:
    assert service_transform(["r.fidelity.>"], 3) is not None
    assert service_transform(["r.fidelity.a.>"], 3) is None
    assert service_transform(["r.fidelity.>", "r.other.>"], 3) is None


@pytest.mark.parametrize(
    ("pattern", "partition", "expected"),
    [
        ("r.learning.>", 3, "r.learning.*.*.*.3"),
        ("r.certification.*.practitioner_left.>", 0, "r.certification.*.practitioner_left.*.0"),
        ("r.certification.*.practitioner_left", 1, "r.certification.*.practitioner_left.*.1"),
    ],
)
def test_a_group_filter_narrows_to_one_partition(
    pattern: str, partition: int, expected: str
) -> None:
    assert partition_filter(pattern, partition) == expected


def test_a_filter_longer_than_a_published_subject_is_refused() -> None:
    with pytest.raises(ValueError, match="more tokens"):
        partition_filter("r.s.a.e.p.x", 0)


def test_a_published_filter_matches_subjects_with_or_without_their_partition() -> None:
    assert published_filter("r.certification.*.practitioner_left") == (
        "r.certification.*.practitioner_left.>"
    )
    assert published_filter("r.learning.>") == "r.learning.>"


def test_each_partition_has_a_durable_of_its_own() -> None:
    assert partition_durable("certification-s-learning", 2) == "certification-s-learning-p2"


@pytest.mark.parametrize(
    ("partitions", "members", "share"), [(4, 1, 4), (4, 2, 2), (3, 2, 2), (4, 3, 2), (2, 5, 1)]
)
def test_each_replica_holds_at_most_its_fair_share(
    partitions: int, members: int, share: int
) -> None:
    assert fair_share(partitions, members) == share
