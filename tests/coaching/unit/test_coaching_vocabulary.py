"""The coaching vocabularies: the framework's competencies and the ordered skill scale."""

from __future__ import annotations

import pytest

from services.coaching.domain.errors import InvalidFieldError
from services.coaching.domain.vocabulary import (
    Competency,
    Modality,
    SessionComponent,
    SkillLevel,
    parse_competency,
    parse_members,
    parse_skill_level,
)
from tests.coaching.unit.coaching_builders import refused


def test_skill_scale_runs_from_not_yet_to_can_teach() -> None:
    assert SkillLevel.NOT_YET < SkillLevel.WITH_SUPPORT < SkillLevel.INDEPENDENT
    assert SkillLevel.INDEPENDENT < SkillLevel.CAN_TEACH
    assert SkillLevel.CAN_TEACH >= SkillLevel.INDEPENDENT >= SkillLevel.INDEPENDENT
    assert [level.rank for level in SkillLevel] == [0, 1, 2, 3]


def test_skill_scale_orders_by_development_not_alphabet() -> None:
    # Alphabetically "can_teach" < "independent"; on the scale it is the top level.
    shuffled = [SkillLevel.CAN_TEACH, SkillLevel.NOT_YET, SkillLevel.INDEPENDENT]
    assert sorted(shuffled) == [SkillLevel.NOT_YET, SkillLevel.INDEPENDENT, SkillLevel.CAN_TEACH]
    assert max(shuffled) is SkillLevel.CAN_TEACH


def test_skill_level_does_not_compare_with_plain_strings() -> None:
    with pytest.raises(TypeError):
        _ = SkillLevel.INDEPENDENT < "with_support"


def test_framework_has_eight_competencies_with_names_and_phases() -> None:
    assert [c.value for c in Competency] == [
        "ENG", "STR", "FAC", "NEED", "SAFE", "NAT", "MON", "TRAN",
    ]  # fmt: skip
    assert Competency.FAC.display_name == "Team meeting facilitation"
    assert Competency.TRAN.phase == 4
    assert all(c.display_name and 1 <= c.phase <= 4 for c in Competency)


def test_session_vocabularies_hold_the_model_components_and_modalities() -> None:
    assert {c.value for c in SessionComponent} == {
        "observation", "modeling", "practice", "feedback", "reflection",
    }  # fmt: skip
    assert {m.value for m in Modality} == {"in_person", "virtual", "live_coaching"}


def test_unknown_competency_is_refused_with_the_accepted_ids() -> None:
    with refused(InvalidFieldError, "competency", "'LEAD'", "ENG, STR, FAC"):
        parse_competency("LEAD")


def test_unknown_level_is_refused_naming_the_field_asked_for() -> None:
    with refused(InvalidFieldError, "target_level", "'expert'", "not_yet, with_support"):
        parse_skill_level("expert", field="target_level")


def test_members_are_deduplicated_into_vocabulary_order() -> None:
    parsed = parse_members(
        ["feedback", "practice", "feedback"],
        SessionComponent,
        field="components",
        what="session component",
        required=True,
    )
    assert parsed == (SessionComponent.PRACTICE, SessionComponent.FEEDBACK)


def test_members_may_be_empty_only_when_not_required() -> None:
    assert parse_members([], Competency, field="competencies", what="c", required=False) == ()
    with refused(InvalidFieldError, "competencies", "is empty"):
        parse_members([], Competency, field="competencies", what="c", required=True)
