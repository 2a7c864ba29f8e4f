"""The starting instruments every agency receives (version 1 of each, editable later).

Each lives in its own module; this one gathers them for whoever seeds an agency.
"""

from __future__ import annotations

from services.fidelity.domain.instruments import Instrument
from services.fidelity.domain.seed_coaching import COACHING_OBSERVATION
from services.fidelity.domain.seed_team_meeting import TEAM_MEETING_OBSERVATION

SEED_INSTRUMENTS: tuple[Instrument, ...] = (TEAM_MEETING_OBSERVATION, COACHING_OBSERVATION)

__all__ = ["COACHING_OBSERVATION", "SEED_INSTRUMENTS", "TEAM_MEETING_OBSERVATION"]
