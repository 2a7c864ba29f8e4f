"""Request and response bodies of the instruments resource."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.fidelity.domain.instruments import Instrument, InstrumentKind, Principle
from services.fidelity.models.fields import MAX_VERSION, IndicatorText, Title

_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


class IndicatorBody(BaseModel):
    id: str = Field(pattern=_ID, max_length=80)
    text: IndicatorText


class ItemBody(BaseModel):
    id: str = Field(pattern=_ID, max_length=80)
    title: Title
    principles: list[Principle] = Field(default_factory=list, max_length=10)
    indicators: list[IndicatorBody] = Field(min_length=1, max_length=50)


class DomainBody(BaseModel):
    id: str = Field(pattern=_ID, max_length=80)
    title: Title
    items: list[ItemBody] = Field(min_length=1, max_length=100)


EXAMPLE_DEFINITION: dict[str, Any] = {
    "key": "team-meeting-observation",
    "version": 2,
    "title": "Team Meeting Observation Tool",
    "kind": "team_meeting",
    "domains": [
        {
            "id": "TM.ENG",
            "title": "Team membership and engagement",
            "items": [
                {
                    "id": "TM.ENG.1",
                    "title": "Team membership and attendance",
                    "principles": ["team_based", "collaboration"],
                    "indicators": [
                        {"id": "TM.ENG.1.a", "text": "The caregiver(s) attend the meeting."},
                        {"id": "TM.ENG.1.b", "text": "The youth attends or is represented."},
                    ],
                }
            ],
        }
    ],
}


class InstrumentDefinition(BaseModel):
    """A complete instrument version: domains -> items -> indicators.

    Ids are stable for ever (observations refer to them); a change of meaning is a new
    version. Indicators are rated present / absent / not_applicable.
    """

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_DEFINITION]})

    key: str = Field(pattern=_ID, max_length=80, description="the instrument's stable key")
    version: int = Field(
        ge=1, le=MAX_VERSION, description="greater than every version this agency sees"
    )
    title: Title
    kind: InstrumentKind
    domains: list[DomainBody] = Field(min_length=1, max_length=50)

    def to_domain(self) -> Instrument:
        """The pure instrument; raises `InvalidInstrumentError` naming a faulty element."""
        return Instrument.model_validate(self.model_dump(mode="json"))


Scope = Literal["global", "agency"]


class InstrumentPublic(InstrumentDefinition):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **EXAMPLE_DEFINITION,
                    "scope": "agency",
                    "indicator_count": 2,
                    "published_at": "2025-03-01T09:30:00Z",
                    "published_by": "agency-a/admin-1",
                }
            ]
        }
    )

    scope: Scope = Field(description="global: seed version every agency has; agency: its own")
    indicator_count: int
    published_at: datetime
    published_by: str | None


class InstrumentSummary(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "key": "team-meeting-observation",
                    "version": 1,
                    "title": "Team Meeting Observation Tool",
                    "kind": "team_meeting",
                    "scope": "global",
                    "indicator_count": 53,
                    "published_at": "2025-01-01T00:00:00Z",
                }
            ]
        }
    )

    key: str
    version: int
    title: str
    kind: InstrumentKind
    scope: Scope
    indicator_count: int
    published_at: datetime
