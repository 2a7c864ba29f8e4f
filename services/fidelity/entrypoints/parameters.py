"""Path and query parameters shared by the fidelity routers, constrained like the bodies."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from services.fidelity.models.fields import MAX_VERSION, NO_CONTROL_CHARACTERS
from shared.identifiers import PersonPath as PersonPath
from shared.identifiers import PersonQuery as PersonQuery
from shared.practice_time import CalendarDate

KeyPath = Annotated[
    str,
    Path(max_length=80, pattern=NO_CONTROL_CHARACTERS, examples=["team-meeting-observation"]),
]
VersionPath = Annotated[int, Path(ge=1, le=MAX_VERSION)]
KeyQuery = Annotated[
    str | None,
    Query(max_length=80, pattern=NO_CONTROL_CHARACTERS, description="an instrument key"),
]
VersionQuery = Annotated[int | None, Query(ge=1, le=MAX_VERSION)]
FromQuery = Annotated[CalendarDate | None, Query(description="meetings on or after this date")]
ToQuery = Annotated[CalendarDate | None, Query(description="meetings on or before this date")]
