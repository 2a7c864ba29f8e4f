"""Instrument definitions: validation, lookup, and the two seed instruments."""

from __future__ import annotations

import pytest

from services.fidelity.domain.errors import InvalidInstrumentError, UnknownIndicatorError
from services.fidelity.domain.instruments import (
    Domain,
    Indicator,
    Instrument,
    InstrumentKind,
    Item,
    Principle,
    find_indicator,
    lettered_item,
)
from services.fidelity.domain.seed_instruments import (
    COACHING_OBSERVATION,
    SEED_INSTRUMENTS,
    TEAM_MEETING_OBSERVATION,
)

seeds = pytest.mark.parametrize("instrument", SEED_INSTRUMENTS, ids=lambda i: i.key)


def _instrument(*domains: Domain, version: int = 1) -> Instrument:
    return Instrument(
        key="t", version=version, title="T", kind=InstrumentKind.COACHING, domains=domains
    )


def _domain(domain_id: str, *items: Item) -> Domain:
    return Domain(id=domain_id, title="D", items=items)


def _item(item_id: str, *indicator_ids: str) -> Item:
    return Item(
        id=item_id, title="I", indicators=tuple(Indicator(id=i, text="t") for i in indicator_ids)
    )


# --- the seed instruments ---------------------------------------------------------


def test_seeds_are_version_one_of_the_two_starting_tools() -> None:
    assert (TEAM_MEETING_OBSERVATION.key, TEAM_MEETING_OBSERVATION.version) == (
        "team-meeting-observation",
        1,
    )
    assert TEAM_MEETING_OBSERVATION.kind is InstrumentKind.TEAM_MEETING
    assert (COACHING_OBSERVATION.key, COACHING_OBSERVATION.version) == ("coaching-observation", 1)
    assert COACHING_OBSERVATION.kind is InstrumentKind.COACHING


@seeds
def test_seed_has_five_to_seven_domains(instrument: Instrument) -> None:
    assert 5 <= len(instrument.domains) <= 7


@seeds
def test_seed_has_fifteen_to_twenty_five_items(instrument: Instrument) -> None:
    assert 15 <= len(list(instrument.items())) <= 25


@seeds
def test_every_seed_item_has_two_to_four_indicators(instrument: Instrument) -> None:
    counts = {item.id: len(item.indicators) for _, item in instrument.items()}
    assert {item_id: n for item_id, n in counts.items() if not 2 <= n <= 4} == {}


@seeds
def test_seed_ids_are_unique_across_domains_items_and_indicators(instrument: Instrument) -> None:
    ids = [d.id for d in instrument.domains]
    ids += [item.id for _, item in instrument.items()]
    ids += list(instrument.indicator_ids())
    assert len(ids) == len(set(ids))


@seeds
def test_seed_indicator_ids_extend_their_item_and_domain_ids(instrument: Instrument) -> None:
    for indicator_id in instrument.indicator_ids():
        where = instrument.locate(indicator_id)
        assert where.item.id.startswith(where.domain.id + ".")
        assert indicator_id.startswith(where.item.id + ".")


def test_team_meeting_tool_gives_evidence_of_all_ten_principles() -> None:
    items = [item for _, item in TEAM_MEETING_OBSERVATION.items()]
    assert all(item.principles for item in items)
    assert {p for item in items for p in item.principles} == set(Principle)


def test_team_meeting_tool_observes_the_core_wraparound_practices() -> None:
    texts = " ".join(
        TEAM_MEETING_OBSERVATION.locate(i).indicator.text.lower()
        for i in TEAM_MEETING_OBSERVATION.indicator_ids()
    )
    for practice in (
        "strengths",
        "who does what by when",
        "vision statement",
        "crisis/safety plan",
        "natural supports",
        "next meeting date",
    ):
        assert practice in texts, practice


def test_coaching_tool_covers_each_coaching_component() -> None:
    titles = {d.title.lower() for d in COACHING_OBSERVATION.domains}
    for component in ("observation", "modeling", "practice", "feedback", "reflection"):
        assert any(component in title for title in titles), component


@seeds
def test_seed_survives_a_json_round_trip(instrument: Instrument) -> None:
    restored = Instrument.model_validate_json(instrument.model_dump_json())
    assert restored == instrument
    assert restored.indicator_ids() == instrument.indicator_ids()


# --- validation -------------------------------------------------------------------


def test_duplicate_indicator_id_is_rejected_naming_it() -> None:
    with pytest.raises(InvalidInstrumentError) as raised:
        _instrument(_domain("D", _item("D.1", "D.1.a"), _item("D.2", "D.2.a", "D.1.a")))
    assert raised.value.element_id == "D.1.a"
    assert "D.1.a" in raised.value.detail


def test_an_id_shared_between_levels_is_rejected() -> None:
    with pytest.raises(InvalidInstrumentError) as raised:
        _instrument(_domain("D", _item("D.1", "D")))
    assert raised.value.element_id == "D"


def test_instrument_without_domains_is_rejected() -> None:
    with pytest.raises(InvalidInstrumentError, match="no domains"):
        _instrument()


def test_domain_without_items_is_rejected_naming_it() -> None:
    with pytest.raises(InvalidInstrumentError) as raised:
        _instrument(_domain("D", _item("D.1", "D.1.a")), _domain("E"))
    assert raised.value.element_id == "E"


def test_item_without_indicators_is_rejected_naming_it() -> None:
    with pytest.raises(InvalidInstrumentError) as raised:
        _instrument(_domain("D", _item("D.1")))
    assert raised.value.element_id == "D.1"


def test_id_with_spaces_is_rejected() -> None:
    with pytest.raises(InvalidInstrumentError) as raised:
        _instrument(_domain("D", _item("D.1", "D.1 a")))
    assert raised.value.element_id == "D.1 a"


def test_blank_indicator_text_is_rejected() -> None:
    item = Item(id="D.1", title="I", indicators=(Indicator(id="D.1.a", text="  "),))
    with pytest.raises(InvalidInstrumentError, match="empty text"):
        _instrument(_domain("D", item))


def test_version_must_be_at_least_one() -> None:
    with pytest.raises(InvalidInstrumentError, match="version"):
        _instrument(_domain("D", _item("D.1", "D.1.a")), version=0)


# --- lookup -----------------------------------------------------------------------


def test_locate_finds_the_domain_and_item_of_an_indicator() -> None:
    where = TEAM_MEETING_OBSERVATION.locate("TM.OUT.2.a")
    assert where.domain.id == "TM.OUT"
    assert where.item.id == "TM.OUT.2"
    assert where.indicator.text == "The plan names who does what by when."


def test_find_indicator_names_an_unknown_id() -> None:
    assert find_indicator(COACHING_OBSERVATION, "CO.FB.1.a").id == "CO.FB.1.a"
    with pytest.raises(UnknownIndicatorError) as raised:
        find_indicator(COACHING_OBSERVATION, "CO.FB.9.z")
    assert raised.value.indicator_id == "CO.FB.9.z"


def test_lettered_item_numbers_indicators_in_order() -> None:
    item = lettered_item("Q.1", "Q", (Principle.TEAM_BASED,), "first", "second", "third")
    assert [(i.id, i.text) for i in item.indicators] == [
        ("Q.1.a", "first"),
        ("Q.1.b", "second"),
        ("Q.1.c", "third"),
    ]
