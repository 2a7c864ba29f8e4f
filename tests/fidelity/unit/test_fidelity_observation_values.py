"""An import line read into values (`observation_values_json`) holds what the model reads,
and a line the model refuses is refused with the model's own error; its content hash is
`fingerprint`'s, whatever its text holds."""

from __future__ import annotations

import json
import random
import uuid
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from services.fidelity.handlers.content_hash import observation_content_hash
from services.fidelity.models.observation_values import (
    observation_values,
    observation_values_json,
    plain_validator,
)
from services.fidelity.models.observations import ObservationCreate, canonical_ratings
from shared.idempotency import fingerprint
from tests.fidelity.fidelity_builders import observation

ODD_TEXTS = ("plain", "caf\u00e9", 'say "hi"', "back\\slash", "tab\there", "del\x7f", "\u2713", "")
SETTINGS = tuple(text for text in ODD_TEXTS if "\x7f" not in text)  # a setting refuses DEL


def _bodies() -> list[dict[str, Any]]:
    rng = random.Random(7)
    bodies = [
        observation(),
        {**observation(), "id": None, "observer_id": None, "co_observation_of": None},
    ]
    for n in range(60):
        body = observation(practitioner_id=f"prac-{n}")
        ratings = body["ratings"]
        for rating in rng.sample(ratings, 3):
            rating["rating"] = rng.choice(["present", "absent", "not_applicable", *ODD_TEXTS])
        body["setting"] = "  " + rng.choice(SETTINGS) + "x  "
        bodies.append(body)
    return bodies


def _refused() -> list[dict[str, Any]]:
    base = observation()
    return [
        {**base, "ratings": []},
        {**base, "ratings": [{"indicator_id": "a\x01", "rating": "present"}]},
        {**base, "ratings": [{"rating": "present"}]},
        {**base, "instrument_version": 0},
        {**base, "meeting_date": "2999-01-01"},
        {**base, "practitioner_id": "two words"},
        {**base, "setting": "   "},
        {**base, "id": "not-a-uuid"},
        {k: v for k, v in base.items() if k != "setting"},
    ]


def test_a_line_read_into_values_holds_what_the_model_reads() -> None:
    for body in _bodies():
        text = json.dumps({"kind": "observation", **body})

        values = observation_values_json(text)

        assert values == ObservationCreate.model_validate_json(text).model_dump()
        assert observation_values({"kind": "observation", **body}) == values


def test_a_line_the_model_refuses_is_refused_with_the_models_own_error() -> None:
    for body in _refused():
        text = json.dumps(body)
        with pytest.raises(ValidationError) as expected:
            ObservationCreate.model_validate_json(text)
        with pytest.raises(ValidationError) as found:
            observation_values_json(text)
        assert str(found.value) == str(expected.value)
        assert found.value.json() == expected.value.json()
        assert found.value.title == "ObservationCreate"


class _Upper(BaseModel):
    name: str

    @field_validator("name")
    @classmethod
    def upper(cls, value: str) -> str:
        return value.upper()


class _AfterwardsChecked(BaseModel):
    name: str

    @model_validator(mode="after")
    def named(self) -> _AfterwardsChecked:
        return self


class _BeforehandChecked(BaseModel):
    name: str

    @model_validator(mode="before")
    @classmethod
    def named(cls, value: Any) -> Any:
        return value


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str


def test_a_field_validator_is_kept_and_a_model_with_more_is_not_read_into_values() -> None:
    assert plain_validator(_Upper).validate_json('{"name": "ab"}') == {"name": "AB"}
    for model in (_AfterwardsChecked, _BeforehandChecked, _Closed):
        with pytest.raises(TypeError):
            plain_validator(model)


def test_the_content_hash_is_the_fingerprint_a_post_stores() -> None:
    for body in _bodies():
        model = ObservationCreate.model_validate(body)
        content = model.model_dump(mode="json", exclude={"id", "ratings", "observer_id"})
        pairs = [(r.indicator_id, r.rating) for r in model.ratings]
        for observer in ("obs-1", "obs-\u00e9", 'obs-"q"'):
            expected = fingerprint(
                {**content, "observer_id": observer, "ratings": canonical_ratings(model.ratings)}
            )
            assert observation_content_hash(content, observer, pairs) == expected


def test_content_holding_a_float_is_hashed_by_fingerprint_itself() -> None:
    content = {"total": 1e16, "id": str(uuid.UUID(int=1))}

    found = observation_content_hash(content, "obs-1", [("a", "present")])

    assert found == fingerprint({**content, "observer_id": "obs-1", "ratings": [("a", "present")]})
