"""Indicator ratings that give an observation the total (and weak domain) a story asks for.

Scores follow fidelity's rules: item = present ÷ applicable indicators, domain = mean
of its items, total = mean of all items. The generator marks indicators absent one at a
time in one fixed order (round the domains, first items first) and stops before the
total would fall under the target, so a lower target always marks a superset of a
higher target's absences: every domain score moves with the total, and a practitioner
whose totals never fall never shows a drift signal by accident.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Item:
    id: str
    domain_id: str
    indicator_ids: tuple[str, ...]


@dataclass(frozen=True)
class Instrument:
    key: str
    version: int
    items: tuple[Item, ...]

    @classmethod
    def from_api(cls, body: dict[str, Any]) -> Instrument:
        """From fidelity's `GET /instruments/{key}` answer (domains → items → indicators)."""
        items = tuple(
            Item(item["id"], domain["id"], tuple(i["id"] for i in item["indicators"]))
            for domain in body["domains"]
            for item in domain["items"]
        )
        return cls(key=body["key"], version=int(body["version"]), items=items)

    @property
    def indicator_ids(self) -> tuple[str, ...]:
        return tuple(i for item in self.items for i in item.indicator_ids)


def _percent(absent: dict[str, int], items: Sequence[Item]) -> float:
    scores = [(len(i.indicator_ids) - absent[i.id]) / len(i.indicator_ids) for i in items]
    return 100 * sum(scores) / len(scores)


def _flip_order(items: Sequence[Item]) -> list[Item]:
    """Round the domains: every domain's first item, then every second item, and so on."""
    by_domain: dict[str, list[Item]] = {}
    for item in items:
        by_domain.setdefault(item.domain_id, []).append(item)
    depth = max(len(group) for group in by_domain.values())
    return [group[n] for n in range(depth) for group in by_domain.values() if n < len(group)]


def _lower(
    absent: dict[str, int], items: Sequence[Item], scored: Sequence[Item], target: float
) -> None:
    """Mark indicators of `items` absent in a fixed order while `scored` stays ≥ target."""
    order = _flip_order(items)
    for _ in range(max(len(i.indicator_ids) for i in items) - 1):
        for item in order:
            if absent[item.id] >= len(item.indicator_ids) - 1:
                continue  # every item keeps one present indicator
            absent[item.id] += 1
            if _percent(absent, scored) < target:
                absent[item.id] -= 1
                return


def observation_ratings(
    instrument: Instrument, total: float, weak_domain: tuple[str, float] | None = None
) -> list[dict[str, str]]:
    """Every indicator rated; total ≥ `total` and as close as the items allow."""
    absent = {item.id: 0 for item in instrument.items}
    rest = list(instrument.items)
    if weak_domain is not None:
        domain_id, score = weak_domain
        weak = [i for i in instrument.items if i.domain_id == domain_id]
        if not weak:
            raise ValueError(f"{instrument.key} has no domain {domain_id}")
        _lower(absent, weak, weak, score)
        rest = [i for i in instrument.items if i.domain_id != domain_id]
    _lower(absent, rest, instrument.items, total)
    return [
        {
            "indicator_id": indicator_id,
            "rating": "absent" if n >= len(item.indicator_ids) - absent[item.id] else "present",
        }
        for item in instrument.items
        for n, indicator_id in enumerate(item.indicator_ids)
    ]


def gold_standard(instrument: Instrument) -> list[dict[str, str]]:
    """A master raters' scoring of a reference meeting: mostly present, some absent or n/a."""
    marks = [
        "not_applicable" if n % 9 == 8 else "absent" if n % 4 == 3 else "present"
        for n in range(len(instrument.indicator_ids))
    ]
    return [
        {"indicator_id": i, "rating": m}
        for i, m in zip(instrument.indicator_ids, marks, strict=True)
    ]


def with_disagreements(gold: Sequence[dict[str, str]], count: int) -> list[dict[str, str]]:
    """An observer's attempt on a reference: the gold with `count` present/absent swapped."""
    swap = {"present": "absent", "absent": "present"}
    rated = [dict(r) for r in gold]
    flippable = [n for n, r in enumerate(rated) if r["rating"] in swap]
    step = max(len(flippable) // (count + 1), 1)
    for n in flippable[step::step][:count]:
        rated[n]["rating"] = swap[rated[n]["rating"]]
    return rated
