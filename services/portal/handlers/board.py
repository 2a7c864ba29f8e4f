"""The agency board: the roster from certification, open drift from fidelity."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from services.portal.adapters.services import Apis
from services.portal.domain.board import BoardRow, board_row, rank
from services.portal.domain.team import OPEN_DRIFT_DAYS


async def load_board(apis: Apis, today: date) -> list[BoardRow]:
    roster, signals = await asyncio.gather(
        apis.certification.every("/practitioners"),
        apis.fidelity.every(
            "/drift-signals", detected_from=(today - timedelta(days=OPEN_DRIFT_DAYS)).isoformat()
        ),
    )
    drift: dict[str, str] = {}
    for signal in sorted(signals, key=lambda s: s["detected_on"]):
        drift[signal["practitioner_id"]] = signal["reason"]  # the latest wins
    return rank((board_row(entry, drift) for entry in roster), today)
