"""What the LRS holds while the learning service runs, and who is calling it."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from starlette.requests import Request

from services.learning.handlers.context import LEARNING
from shared.database import Pool
from shared.extras import RuntimeExtra
from shared.service import Runtime

from ..adapters.statement_reads import consistent_through
from ..credentials import VerifiedSecrets
from ..recording import Submitter

DEFAULT_PAGE_LIMIT = 100
# an earlier Consistent-Through is still true (it is a lower bound): reuse it briefly
CONSISTENT_THROUGH_REUSE_SECONDS = 0.25


@dataclass
class Lrs:
    runtime: Runtime
    page_limit: int = DEFAULT_PAGE_LIMIT
    verified: VerifiedSecrets = field(default_factory=VerifiedSecrets)
    _through: tuple[float, datetime] | None = None

    @property
    def pool(self) -> Pool:
        return self.runtime.pool

    @property
    def learning(self) -> Runtime | None:
        """The runtime for the learning use cases, once the service has started them."""
        return self.runtime if LEARNING.get(self.runtime) is not None else None

    async def consistent_through(self) -> datetime:
        """X-Experience-API-Consistent-Through, at most a quarter of a second old."""
        now = time.monotonic()
        if self._through is None or now - self._through[0] > CONSISTENT_THROUGH_REUSE_SECONDS:
            async with self.pool.acquire() as conn:
                self._through = (now, await consistent_through(conn))
        return self._through[1]


LRS: RuntimeExtra[Lrs] = RuntimeExtra("xapi")


def lrs_of(runtime: Runtime) -> Lrs:
    """The runtime's LRS, created on first use with the settings' page limit."""
    lrs = LRS.get(runtime)
    if lrs is None:
        limit: Any = getattr(runtime.settings, "xapi_page_limit", DEFAULT_PAGE_LIMIT)
        lrs = Lrs(runtime, page_limit=int(limit))
        LRS.put(runtime, lrs)
    return lrs


def lrs_of_request(request: Request) -> Lrs:
    return lrs_of(request.app.state.runtime)


@dataclass(frozen=True)
class LrsClient:
    """An authenticated LMS credential."""

    key: str
    agency_id: str
    partner_name: str
    authority: dict[str, Any]

    @property
    def submitter(self) -> Submitter:
        return Submitter(self.agency_id, self.key, self.authority)
