"""Figure 3's requests, shared by the whole-system bench and `read_cpu`: a random
practitioner's stored certification state, the board list's first page, a board page
from a random place in the list (so concurrent requests seldom ask the same page and
share no query: shared/shared_reads.py), and a one-row history page (the cheapest
authenticated read, for comparison)."""

from __future__ import annotations

import random

from shared.pagination import encode_cursor
from tests.bench.http_client import KeepAliveClient
from tests.bench.load import Request


def certification_reads(url: str, headers: dict[str, str], size: int) -> dict[str, Request]:
    """The reads of an agency of `size` practitioners (`prac-000000` …), by name."""
    rng = random.Random(7)

    async def state(http: KeepAliveClient, _worker: int, _step: int) -> bool:
        practitioner = f"prac-{rng.randrange(size):06d}"
        answer = await http.get(
            f"{url}/practitioners/{practitioner}/certification", headers=headers
        )
        return answer.status_code == 200

    async def board(http: KeepAliveClient, _worker: int, _step: int) -> bool:
        answer = await http.get(f"{url}/practitioners", headers=headers)
        return answer.status_code == 200

    async def board_pages(http: KeepAliveClient, _worker: int, _step: int) -> bool:
        cursor = encode_cursor([f"prac-{rng.randrange(size):06d}"])
        answer = await http.get(f"{url}/practitioners?cursor={cursor}", headers=headers)
        return answer.status_code == 200

    async def ping(http: KeepAliveClient, _worker: int, _step: int) -> bool:
        practitioner = f"prac-{rng.randrange(size):06d}"
        answer = await http.get(
            f"{url}/practitioners/{practitioner}/transitions?limit=1", headers=headers
        )
        return answer.status_code == 200

    return {"state": state, "board": board, "board_pages": board_pages, "ping": ping}
