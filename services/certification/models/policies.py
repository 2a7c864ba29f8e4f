"""Request and response models of policy versions, adoptions and what-if reports."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.certification.domain.comparison import Change
from services.certification.domain.seed_policies import DEFAULT_POLICY
from shared.pagination import Page

DRAFT_EXAMPLE: dict[str, Any] = DEFAULT_POLICY.model_copy(update={"version": 2}).model_dump(
    mode="json"
)


class PolicyVersionPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "policy_id": DEFAULT_POLICY.id,
                    "policy_version": 1,
                    "title": DEFAULT_POLICY.title,
                    "seed": True,
                    "created_by": None,
                    "created_at": None,
                    "policy": DEFAULT_POLICY.model_dump(mode="json"),
                }
            ]
        }
    )

    policy_id: str
    policy_version: int
    title: str
    seed: bool = Field(description="the built-in default every agency starts under")
    created_by: str | None
    created_at: datetime | None
    policy: dict[str, Any]


class AdoptionCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"policy_id": DEFAULT_POLICY.id, "policy_version": 2}]},
    )

    policy_id: str = Field(min_length=1, max_length=200)
    policy_version: int = Field(ge=1, le=2_147_483_647)


class AdoptionPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "policy_id": DEFAULT_POLICY.id,
                    "policy_version": 2,
                    "adopted_on": "2026-01-10",
                    "adopted_by": "agency-1/admin-ada",
                    "recorded_at": "2026-01-10T09:30:00Z",
                }
            ]
        }
    )

    policy_id: str
    policy_version: int
    adopted_on: date | None = Field(description="null: the seed, never adopted explicitly")
    adopted_by: str | None
    recorded_at: datetime | None


class AdoptionOutcomePublic(AdoptionPublic):
    practitioners_evaluated: int
    transitions_published: int


class PolicyRef(BaseModel):
    policy_id: str
    policy_version: int


class PractitionerOutcomePublic(BaseModel):
    practitioner_id: str
    changes: dict[str, Change] = Field(description="level → gain, keep, lose or unaffected")
    current: dict[str, str] = Field(description="level → status under the adopted policy")
    draft: dict[str, str] = Field(description="level → status under the draft")


class WhatIfPublic(BaseModel):
    """Who would gain, keep or lose each level if the draft were adopted."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "current_policy": {"policy_id": DEFAULT_POLICY.id, "policy_version": 1},
                    "draft_policy": {"policy_id": DEFAULT_POLICY.id, "policy_version": 2},
                    "as_of": "2026-01-10",
                    "summary": {
                        "facilitator": {"gain": 1, "keep": 10, "lose": 2, "unaffected": 30}
                    },
                    "practitioners": {
                        "items": [
                            {
                                "practitioner_id": "prac-pat",
                                "changes": {"facilitator": "lose", "coach": "unaffected"},
                                "current": {"facilitator": "certified", "coach": "in_progress"},
                                "draft": {"facilitator": "in_progress", "coach": "not_started"},
                            }
                        ],
                        "next_cursor": None,
                    },
                }
            ]
        }
    )

    current_policy: PolicyRef
    draft_policy: PolicyRef
    as_of: date
    summary: dict[str, dict[Change, int]]
    practitioners: Page[PractitionerOutcomePublic]
