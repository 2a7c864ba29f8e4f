"""Response models of the agency's teams, as the roster defines them."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

TeamKind = Literal["supervisor", "named"]


class TeamPublic(BaseModel):
    team_id: str = Field(description="a supervisor's id for their team, else the team's name")
    kind: TeamKind
    member_count: int


class TeamMemberPublic(BaseModel):
    practitioner_id: str
    role: str
    coach_id: str | None
    supervisor_id: str | None
    team_id: str | None


class TeamRosterPublic(BaseModel):
    team_id: str
    as_of: date
    kinds: list[TeamKind] = Field(description="how the members belong: by supervisor, by name")
    members: list[TeamMemberPublic]
