"""Policy JSON builders: the seed policy with one number changed, as an admin would send it."""

from __future__ import annotations

import copy
from typing import Any

from services.certification.domain.seed_policies import DEFAULT_POLICY


def policy_json(version: int = 2, *, policy_id: str = DEFAULT_POLICY.id) -> dict[str, Any]:
    document: dict[str, Any] = copy.deepcopy(DEFAULT_POLICY.model_dump(mode="json"))
    document.update(id=policy_id, version=version)
    return document


def with_tenure(document: dict[str, Any], min_days: int) -> dict[str, Any]:
    """The facilitator level asking ``min_days`` of tenure."""
    for requirement in document["levels"][0]["requires"]:
        if requirement["type"] == "tenure":
            requirement["min_days"] = min_days
    return document
