"""Request and response models of agency onboarding (platform operators only)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, HttpUrl

from shared.auth import AGENCY_ID, AGENCY_ID_RULE
from shared.identifiers import DisplayName, PersonId


def _agency_id(value: str) -> str:
    if not AGENCY_ID.match(value):
        raise ValueError(f"an agency id is {AGENCY_ID_RULE}")
    return value


AgencyId = Annotated[str, AfterValidator(_agency_id)]


class AgencyCreate(BaseModel):
    """A new agency on the platform, with the id of its first admin."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "agency_id": "north-county",
                    "name": "North County Family Services",
                    "url": "https://northcounty.example.org",
                    "first_admin_id": "admin-1",
                }
            ]
        },
    )

    agency_id: AgencyId = Field(description=f"the agency's id in every token ({AGENCY_ID_RULE})")
    name: DisplayName
    url: HttpUrl | None = Field(default=None, description="the agency's web address")
    first_admin_id: PersonId = Field(default="admin", description="the first admin's subject")


class AgencyPublic(BaseModel):
    agency_id: str
    name: str
    url: str | None
    first_admin_id: str
    registered_by: str
    registered_at: datetime


class FirstAdmin(BaseModel):
    subject: str
    roles: list[str]
    token: str | None = Field(
        description="a bearer token for the first admin, issued once with the service's own "
        "HS256 secret (local and test deployments); null on a repeat, and where tokens come "
        "from an identity provider (RS256)"
    )


class AgencyRegisteredPublic(AgencyPublic):
    first_admin: FirstAdmin
