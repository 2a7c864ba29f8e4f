"""A short schemathesis run over every service (`make fuzz` runs a long one)."""

from __future__ import annotations

import asyncio

import pytest

from shared.servers import NatsServer
from tests.security.fuzz import fuzz_services


# four services fuzzed one after another: minutes on a busy machine, not the suite's 120 s
@pytest.mark.timeout(600)
async def test_no_generated_request_gets_a_5xx_or_a_response_that_breaks_its_schema(
    database_url: str, nats_server: NatsServer
) -> None:
    results = await asyncio.to_thread(fuzz_services, database_url, nats_server.url, 1)

    assert [r.service for r in results] == ["learning", "coaching", "fidelity", "certification"]
    for result in results:
        assert result.returncode == 0, result.output[-4000:]
        assert result.operations >= 10, result.output[-2000:]
        assert result.cases > 100 and result.passed == result.cases, result.output[-2000:]
