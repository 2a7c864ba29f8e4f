"""An observation's body read with `ObservationCreate`'s own checks into plain values.

`ObservationCreate.model_validate_json` builds a model object for each of a body's ~50
ratings, the largest single cost of an imported observation line. An import's batch needs
only the values, so its lines are read by a validator built from the model's own core
schema, each model in it turned into a typed dict of the very same field schemas: the
same checks in the same order, the same values, as dicts. A body it refuses is read
again by the model, so the error is the model's own, word for word.
"""

from __future__ import annotations

from typing import Any, TypedDict, cast

from pydantic import BaseModel
from pydantic_core import SchemaValidator, ValidationError

from services.fidelity.models.observations import ObservationCreate

# what a model's core schema may hold for its fields to mean the same in a typed dict
_MODEL_KEYS = {"type", "cls", "schema", "config", "custom_init", "root_model", "metadata", "ref"}


class ObservationValues(TypedDict):
    """`ObservationCreate`'s fields as values (`ratings`: dicts of `RatingBody`'s)."""

    id: Any
    instrument_key: str
    instrument_version: int
    practitioner_id: str
    observer_id: str | None
    meeting_date: Any
    setting: str
    ratings: list[dict[str, str]]
    co_observation_of: Any


def _as_typed_dicts(schema: Any) -> Any:
    """The core schema with every model turned into a typed dict of its field schemas;
    a model with anything more (its own validators or init, computed fields, a config
    beyond its title) is refused, as a typed dict might not check what it checks."""
    if isinstance(schema, list):
        return [_as_typed_dicts(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if schema.get("type") != "model":
        inner = schema.get("schema")
        if str(schema.get("type")).startswith("function") and _is_model(inner):
            raise TypeError(f"{schema} validates a whole model: read it with the model")
        return {key: _as_typed_dicts(value) for key, value in schema.items()}
    fields = schema["schema"]
    plain = (
        set(schema) <= _MODEL_KEYS
        and not schema.get("custom_init")
        and not schema.get("root_model")
        and set(schema.get("config", {})) <= {"title"}
        and fields.get("type") == "model-fields"
        and not fields.get("computed_fields")
        and set(fields) <= {"type", "fields", "model_name", "computed_fields"}
    )
    if not plain:
        raise TypeError(f"{schema.get('cls')} is not a plain model: read it with the model")
    return {
        "type": "typed-dict",
        "fields": {
            name: {
                "type": "typed-dict-field",
                "schema": _as_typed_dicts(field["schema"]),
                "required": field["schema"].get("type") != "default",
            }
            for name, field in fields["fields"].items()
        },
    }


def _is_model(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("type") == "model"


def plain_validator(model: type[BaseModel]) -> SchemaValidator:
    """A validator of `model`'s bodies into values (dicts) instead of model objects."""
    return SchemaValidator(_as_typed_dicts(model.__pydantic_core_schema__))


_VALUES = plain_validator(ObservationCreate)


def observation_values_json(text: str | bytes) -> ObservationValues:
    """The body's values; the model's `ValidationError` for a body it refuses."""
    try:
        return cast(ObservationValues, _VALUES.validate_json(text))
    except ValidationError:
        return _values_of(ObservationCreate.model_validate_json(text))


def observation_values(fields: dict[str, Any]) -> ObservationValues:
    """`observation_values_json` of already decoded JSON (a dry run's line)."""
    try:
        return cast(ObservationValues, _VALUES.validate_python(fields))
    except ValidationError:
        return _values_of(ObservationCreate.model_validate(fields))


def _values_of(body: ObservationCreate) -> ObservationValues:
    """The values of a body the model accepts (never reached while the two agree)."""
    return cast(ObservationValues, body.model_dump())
