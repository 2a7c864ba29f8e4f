"""Partitions of a stream by the subject of its events, done by NATS itself.

A relay publishes `<root>.<service>.<agency>.<event>.<about>`, where `<about>` is the
event's CloudEvent subject (the practitioner, or the observer, coach, policy … the event
is about; `_` when it has none). The stream stores each message under that subject with
one more token, its partition, computed by the server's own subject transform:

    <root>.<service>.*.*.*  →  <root>.<service>.{{wildcard(1)}}.{{wildcard(2)}}.
                               {{wildcard(3)}}.{{partition(N,1,3)}}

`partition(N,1,3)` hashes the agency and the `<about>` token, so every event about one
practitioner of one agency lands in one partition, in publish order. A consumer group
reads partition `p` through a durable consumer of its own filtered to `….*.*.*.p`.

The partition count belongs to the stream (its operator may change it): consumers read
it from the stream's transform, and a stream without one is a single partition.
"""

from __future__ import annotations

import math
import re

from nats.js.api import StreamConfig, SubjectTransform

# `<about>` of an event that is about nobody in particular (one fixed partition per agency)
NO_SUBJECT_KEY = "_"
# tokens of a published subject: root, service, agency, event, about
PUBLISHED_TOKENS = 5

_PARTITION_COUNT = re.compile(r"\{\{\s*partition\(\s*(\d+)\s*,")


def partition_transform(root: str, service: str, partitions: int) -> SubjectTransform:
    """The stream transform appending the partition of agency + about to each subject."""
    if partitions < 1:
        raise ValueError("a stream has at least one partition")
    prefix = f"{root}.{service}"
    dest = (
        f"{prefix}.{{{{wildcard(1)}}}}.{{{{wildcard(2)}}}}.{{{{wildcard(3)}}}}"
        f".{{{{partition({partitions},1,3)}}}}"
    )
    return SubjectTransform(src=f"{prefix}.*.*.*", dest=dest)


def partition_count(config: StreamConfig) -> int | None:
    """The partitions a stream's transform makes; None when it has no partition transform."""
    transform = config.subject_transform
    if transform is None or not transform.dest:
        return None
    match = _PARTITION_COUNT.search(transform.dest)
    return int(match.group(1)) if match else None


def partition_filter(pattern: str, partition: int) -> str:
    """A filter of published subjects (`root.learning.>`, `root.cert.*.event`) narrowed
    to one partition of the stored subjects: `root.learning.*.*.*.3`."""
    tokens = pattern.split(".")
    if tokens[-1] == ">":
        tokens = tokens[:-1]
    if len(tokens) > PUBLISHED_TOKENS:
        raise ValueError(f"{pattern!r} has more tokens than a published subject")
    tokens += ["*"] * (PUBLISHED_TOKENS - len(tokens))
    return ".".join([*tokens, str(partition)])


def published_filter(pattern: str) -> str:
    """A filter of published subjects matching them stored with or without a partition."""
    tokens = pattern.split(".")
    return pattern if tokens[-1] == ">" else f"{pattern}.>"


def partition_durable(durable: str, partition: int) -> str:
    """The durable consumer of one partition of a consumer group."""
    return f"{durable}-p{partition}"


def fair_share(partitions: int, members: int) -> int:
    """How many partitions one of `members` live replicas may hold (the rest stand by)."""
    return math.ceil(partitions / max(members, 1))
