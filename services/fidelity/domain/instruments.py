"""Fidelity instruments as versioned, immutable data.

An instrument (modelled on Wraparound's Team Observation Measure) is a tree:
domains -> items -> indicators. Observers rate indicators; scoring rolls them up
to items, domains and a total. Every level carries a stable string id
(``TM.ENG.1.a``) because stored observations refer to indicators by id for ever:
an edit that changes meaning is a new ``version``, never a renamed id.

Constructing an ``Instrument`` validates it, so an invalid definition cannot exist
in memory; the failure is an ``InvalidInstrumentError`` naming the offending element.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, PrivateAttr, model_validator

from services.fidelity.domain.errors import InvalidInstrumentError, UnknownIndicatorError

# Ids travel in URLs, events and CSV exports: keep them to a safe, readable alphabet.
_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class InstrumentKind(StrEnum):
    """What an instrument observes."""

    TEAM_MEETING = "team_meeting"  # a practitioner facilitating a child-and-family team
    COACHING = "coaching"  # a coach coaching a practitioner


class Principle(StrEnum):
    """The ten principles of Wraparound (National Wraparound Initiative)."""

    FAMILY_VOICE_AND_CHOICE = "family_voice_and_choice"
    TEAM_BASED = "team_based"
    NATURAL_SUPPORTS = "natural_supports"
    COLLABORATION = "collaboration"
    COMMUNITY_BASED = "community_based"
    CULTURALLY_COMPETENT = "culturally_competent"
    INDIVIDUALIZED = "individualized"
    STRENGTHS_BASED = "strengths_based"
    UNCONDITIONAL = "unconditional"
    OUTCOME_BASED = "outcome_based"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Indicator(_Frozen):
    """One observable behaviour, rated present / absent / not applicable."""

    id: str
    text: str


class Item(_Frozen):
    """A practice element, scored as the share of its applicable indicators present."""

    id: str
    title: str
    # Which Wraparound principles the item gives evidence of; empty for coaching items.
    principles: tuple[Principle, ...] = ()
    indicators: tuple[Indicator, ...]


class Domain(_Frozen):
    """A group of items reported together (a domain score is the mean of its items)."""

    id: str
    title: str
    items: tuple[Item, ...]


# (domain id, ((item id, (indicator id, ...)), ...)) per domain, in instrument order
ScoringLayout = tuple[tuple[str, tuple[tuple[str, tuple[str, ...]], ...]], ...]
# (domain id, ((item id, start, end), ...)) per domain: an item's indicators are the slice
# [start, end) of `indicator_ids()` (the instrument order lists them item by item)
ItemSpans = tuple[tuple[str, tuple[tuple[str, int, int], ...]], ...]


@dataclass(frozen=True, slots=True)
class IndicatorLocation:
    """Where an indicator sits in its instrument."""

    domain: Domain
    item: Item
    indicator: Indicator


class Instrument(_Frozen):
    """A versioned observation instrument; ``(key, version)`` identifies it."""

    key: str
    version: int
    title: str
    kind: InstrumentKind
    domains: tuple[Domain, ...]

    _locations: dict[str, IndicatorLocation] = PrivateAttr(default_factory=dict)
    _indicator_ids: tuple[str, ...] = PrivateAttr(default=())
    _layout: ScoringLayout = PrivateAttr(default=())
    _known: frozenset[str] = PrivateAttr(default=frozenset())
    _spans: ItemSpans = PrivateAttr(default=())

    @model_validator(mode="after")
    def _check_definition(self) -> Self:
        _check_structure(self)
        self._locations = {
            indicator.id: IndicatorLocation(domain, item, indicator)
            for domain in self.domains
            for item in domain.items
            for indicator in item.indicators
        }
        # a version never changes: what scoring walks is laid out once, as plain tuples
        self._indicator_ids = tuple(self._locations)
        self._layout = tuple(
            (
                domain.id,
                tuple(
                    (item.id, tuple(indicator.id for indicator in item.indicators))
                    for item in domain.items
                ),
            )
            for domain in self.domains
        )
        self._known = frozenset(self._indicator_ids)
        self._spans = _item_spans(self._layout)
        return self

    @property
    def ref(self) -> str:
        """``key@version``, the form used in events and logs."""
        return f"{self.key}@{self.version}"

    def items(self) -> Iterator[tuple[Domain, Item]]:
        """Every item with its domain, in instrument order."""
        for domain in self.domains:
            for item in domain.items:
                yield domain, item

    def indicator_ids(self) -> tuple[str, ...]:
        """Every indicator id, in instrument order."""
        return self._indicator_ids

    def scoring_layout(self) -> ScoringLayout:
        """Each domain's id with its items' ids and indicator ids, in instrument order."""
        return self._layout

    def known_indicators(self) -> frozenset[str]:
        """Every indicator id, as a set (what a rating may name)."""
        return self._known

    def item_spans(self) -> ItemSpans:
        """Each domain's id with each item's id and the slice of `indicator_ids()` it rates."""
        return self._spans

    def has_indicator(self, indicator_id: str) -> bool:
        return indicator_id in self._locations

    def locate(self, indicator_id: str) -> IndicatorLocation:
        """The domain, item and indicator for an id; ``UnknownIndicatorError`` if absent."""
        try:
            return self._locations[indicator_id]
        except KeyError:
            raise UnknownIndicatorError(
                f"indicator {indicator_id!r} is not in instrument {self.ref}",
                indicator_id=indicator_id,
            ) from None

    def domain(self, domain_id: str) -> Domain | None:
        return next((d for d in self.domains if d.id == domain_id), None)


def _item_spans(layout: ScoringLayout) -> ItemSpans:
    spans: list[tuple[str, tuple[tuple[str, int, int], ...]]] = []
    start = 0
    for domain_id, items in layout:
        in_domain: list[tuple[str, int, int]] = []
        for item_id, indicator_ids in items:
            in_domain.append((item_id, start, start + len(indicator_ids)))
            start += len(indicator_ids)
        spans.append((domain_id, tuple(in_domain)))
    return tuple(spans)


def lettered_item(item_id: str, title: str, principles: tuple[Principle, ...], *texts: str) -> Item:
    """Build an item whose indicators are ``<item_id>.a``, ``.b``, ... in the order given.

    The lettering matches how observers read a paper form; use it only when writing
    a new instrument version, since appending keeps but inserting shifts the letters.
    """
    indicators = tuple(
        Indicator(id=f"{item_id}.{chr(ord('a') + n)}", text=text) for n, text in enumerate(texts)
    )
    return Item(id=item_id, title=title, principles=principles, indicators=indicators)


def find_indicator(instrument: Instrument, indicator_id: str) -> Indicator:
    """The indicator with this id; ``UnknownIndicatorError`` names it when it is not there."""
    return instrument.locate(indicator_id).indicator


def _check_structure(instrument: Instrument) -> None:
    """Raise ``InvalidInstrumentError`` for the first structural fault, in document order."""
    if instrument.version < 1:
        raise InvalidInstrumentError(
            f"instrument {instrument.key!r} has version {instrument.version}; versions start at 1",
            element_id=instrument.key,
        )
    _check_id(instrument.key, "instrument key")
    _check_text(instrument.title, instrument.key, "title")
    if not instrument.domains:
        raise InvalidInstrumentError(
            f"instrument {instrument.key!r} has no domains", instrument.key
        )

    # One namespace for all levels: an id must point at exactly one element, so a
    # rating or a drift signal can never be ambiguous about what it refers to.
    seen: set[str] = {instrument.key}
    for domain in instrument.domains:
        _claim(seen, domain.id, "domain")
        _check_text(domain.title, domain.id, "title")
        if not domain.items:
            raise InvalidInstrumentError(f"domain {domain.id!r} has no items", domain.id)
        for item in domain.items:
            _claim(seen, item.id, "item")
            _check_text(item.title, item.id, "title")
            if not item.indicators:
                raise InvalidInstrumentError(f"item {item.id!r} has no indicators", item.id)
            for indicator in item.indicators:
                _claim(seen, indicator.id, "indicator")
                _check_text(indicator.text, indicator.id, "text")


def _claim(seen: set[str], element_id: str, level: str) -> None:
    _check_id(element_id, f"{level} id")
    if element_id in seen:
        raise InvalidInstrumentError(
            f"{level} id {element_id!r} is used more than once", element_id
        )
    seen.add(element_id)


def _check_id(element_id: str, what: str) -> None:
    if not _ID_PATTERN.fullmatch(element_id):
        raise InvalidInstrumentError(
            f"{what} {element_id!r} must be letters, digits, '.', '_' or '-'", element_id
        )


def _check_text(text: str, element_id: str, field: str) -> None:
    if not text.strip():
        raise InvalidInstrumentError(f"{element_id!r} has an empty {field}", element_id)
