"""Policy as versioned data: stored as JSON, validated on load, evaluable as a draft."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from services.certification.domain.evaluate import evaluate
from services.certification.domain.policy import Level, Policy, Tenure
from services.certification.domain.seed_policies import DEFAULT_POLICY
from services.certification.domain.transitions import CertificationStatus as Status
from tests.certification.unit.certification_builders import PractitionerHistory, requirement


def test_the_default_policy_round_trips_through_json() -> None:
    stored = DEFAULT_POLICY.model_dump_json()

    loaded = Policy.model_validate_json(stored)

    assert loaded == DEFAULT_POLICY
    assert '"type":"qualifying_observations"' in stored


def test_a_policy_loaded_from_json_evaluates_like_the_original(
    history: PractitionerHistory,
) -> None:
    evidence = history.observed(date(2026, 2, 1), total=70).build()
    loaded = Policy.model_validate_json(DEFAULT_POLICY.model_dump_json())

    assert evaluate(loaded, evidence, date(2026, 12, 1)) == evaluate(
        DEFAULT_POLICY, evidence, date(2026, 12, 1)
    )


def test_a_draft_policy_shows_who_would_lose_certification_before_adoption(
    history: PractitionerHistory,
) -> None:
    facilitator = DEFAULT_POLICY.levels[0]
    stricter = tuple(
        Tenure(min_days=400) if isinstance(r, Tenure) else r for r in facilitator.requires
    )
    draft = DEFAULT_POLICY.model_copy(
        update={"version": 2, "levels": (facilitator.model_copy(update={"requires": stricter}),)}
    )
    evidence = history.build()

    adopted = evaluate(DEFAULT_POLICY, evidence, date(2026, 1, 10))
    drafted = evaluate(draft, evidence, date(2026, 1, 10))

    assert adopted.level("facilitator").status is Status.CERTIFIED
    assert drafted.level("facilitator").status is Status.IN_PROGRESS
    assert requirement(drafted, "facilitator", "tenure").reason == (
        "369 days since program start on 2025-01-06 (need 400)"
    )
    assert drafted.policy_version == 2


def test_a_level_may_only_build_on_an_earlier_level() -> None:
    coach, facilitator = DEFAULT_POLICY.levels[1], DEFAULT_POLICY.levels[0]

    with pytest.raises(ValidationError, match="not an earlier level"):
        Policy(id="p", version=1, levels=(coach, facilitator))


def test_level_keys_are_unique_within_a_policy() -> None:
    facilitator = DEFAULT_POLICY.levels[0]

    with pytest.raises(ValidationError, match="appears twice"):
        Policy(id="p", version=1, levels=(facilitator, facilitator))


def test_an_unknown_requirement_type_is_refused_on_load() -> None:
    stored = DEFAULT_POLICY.model_dump(mode="json")
    stored["levels"][0]["requires"].append({"type": "training_hours", "min_hours": 40})

    with pytest.raises(ValidationError, match="training_hours"):
        Policy.model_validate(stored)


def test_a_level_without_any_requirement_is_refused() -> None:
    with pytest.raises(ValidationError, match="no requirement"):
        Policy(id="p", version=1, levels=(Level(key="empty", title="Empty"),))
