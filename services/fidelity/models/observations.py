"""Request and response bodies of the observations resource."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.fidelity.domain.scoring import FidelityBand, Rating
from services.fidelity.models.fields import MAX_VERSION, ElementRef, PersonId, Setting
from shared.practice_time import PracticeDate

_RATINGS: list[Any] = [r.value for r in Rating]


class RatingBody(BaseModel):
    indicator_id: ElementRef
    # checked by the domain, so a wrong value is reported with its indicator
    rating: str = Field(max_length=40, json_schema_extra={"enum": _RATINGS})


class ObservationCreate(BaseModel):
    """An observed meeting, rated on one instrument version.

    Every indicator of that version must be rated exactly once (not_applicable is said
    explicitly). A second observer of the same meeting names the first observation in
    `co_observation_of`; their agreement is computed and returned.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "0b7f3d5e-8a51-4c1a-9d7e-2f4a6b8c9d01",
                    "instrument_key": "team-meeting-observation",
                    "instrument_version": 1,
                    "practitioner_id": "prac-017",
                    "observer_id": "obs-004",
                    "meeting_date": "2025-03-12",
                    "setting": "family home",
                    "ratings": [
                        {"indicator_id": "TM.ENG.1.a", "rating": "present"},
                        {"indicator_id": "TM.ENG.1.b", "rating": "not_applicable"},
                    ],
                    "co_observation_of": None,
                }
            ]
        }
    )

    id: uuid.UUID | None = Field(default=None, description="your id; a retry with it is safe")
    instrument_key: ElementRef
    instrument_version: int = Field(ge=1, le=MAX_VERSION)
    practitioner_id: PersonId = Field(description="the practitioner observed")
    observer_id: PersonId | None = Field(default=None, description="defaults to the caller")
    meeting_date: PracticeDate = Field(description="when the meeting happened; never in the future")
    setting: Setting = Field(description="where or how it was held")
    ratings: list[RatingBody] = Field(min_length=1, max_length=2000)
    co_observation_of: uuid.UUID | None = Field(
        default=None, description="the first observation of the same meeting by another observer"
    )


class DomainScoreOut(BaseModel):
    domain_id: str
    score: float
    band: FidelityBand
    item_count: int


class ItemScoreOut(BaseModel):
    item_id: str
    domain_id: str
    present: int
    applicable: int
    score: float


class AgreementOut(BaseModel):
    """How far two observers of one meeting agreed, indicator by indicator."""

    observation_id: str
    co_observation_of: str
    first_observer_id: str
    second_observer_id: str
    indicator_count: int
    percent_agreement: float
    expected_agreement: float = Field(description="agreement expected by chance, 0-1")
    kappa: float = Field(description="Cohen's kappa")


EXAMPLE_OBSERVATION: dict[str, Any] = {
    "id": "0b7f3d5e-8a51-4c1a-9d7e-2f4a6b8c9d01",
    "practitioner_id": "prac-017",
    "observer_id": "obs-004",
    "instrument_key": "team-meeting-observation",
    "instrument_version": 1,
    "instrument_kind": "team_meeting",
    "meeting_date": "2025-03-12",
    "setting": "family home",
    "total": 82.5,
    "band": "adequate",
    "domain_scores": [{"domain_id": "TM.ENG", "score": 88.9, "band": "high", "item_count": 3}],
    "item_scores": [
        {"item_id": "TM.ENG.1", "domain_id": "TM.ENG", "present": 2, "applicable": 2, "score": 100}
    ],
    "ratings": [{"indicator_id": "TM.ENG.1.a", "rating": "present"}],
    "observer_calibrated": True,
    "calibration_reason": "passed calibration … valid until 2026-01-09",
    "co_observation_of": None,
    "agreement": None,
    "recorded_at": "2025-03-14T16:02:11Z",
    "recorded_by": "agency-a/obs-004",
    "imported": False,
    "source": "observed",
}


class ObservationPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_OBSERVATION]})

    id: uuid.UUID
    practitioner_id: str
    observer_id: str
    instrument_key: str
    instrument_version: int
    instrument_kind: str
    meeting_date: date
    setting: str
    total: float = Field(description="mean of all scored items, %")
    band: FidelityBand
    domain_scores: list[DomainScoreOut]
    item_scores: list[ItemScoreOut]
    ratings: list[RatingBody]
    observer_calibrated: bool = Field(description="was the observer calibrated on meeting_date")
    calibration_reason: str
    co_observation_of: uuid.UUID | None
    agreement: AgreementOut | None = Field(
        description="for a co-observation: its agreement with the first observation"
    )
    recorded_at: datetime
    recorded_by: str
    imported: bool = Field(
        default=False, description="a historical record imported in bulk, not observed here"
    )
    source: Literal["observed", "paper"] = Field(
        default="observed",
        description="paper: transcribed from a paper form, with domain and total scores and "
        "no indicator ratings (item_scores and ratings are empty)",
    )


def rating_pairs(ratings: list[RatingBody]) -> list[tuple[str, Rating]]:
    """The body's ratings as pairs, duplicates kept so the domain can name them.

    Values are still raw strings: `validate_ratings` checks them and names the
    indicator of a wrong one, which a type error at parse time could not.
    """
    return [(r.indicator_id, r.rating) for r in ratings]  # type: ignore[misc]


def canonical_ratings(ratings: list[RatingBody]) -> list[tuple[str, str]]:
    """Order-free form for fingerprints: the same ratings in another order are the same."""
    return sorted((r.indicator_id, r.rating) for r in ratings)


def rating_bodies(ratings: dict[str, str]) -> list[RatingBody]:
    return [RatingBody(indicator_id=i, rating=r) for i, r in ratings.items()]
