"""The base of the learning domain's value objects: immutable, strict pydantic models.

Frozen so that a state can be shared between folds without defensive copies, and
``extra="forbid"`` so that a misspelt field in seed data or an event payload fails
loudly instead of being dropped.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class FrozenModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
