"""The short fault suite at load (`make chaos` runs the long one): one replica each,
kill -9 of the learning service, NATS down 5 s, one PostgreSQL restart.

Each phase must end with every acknowledged write exactly once in its service's store,
its JetStream stream and certification's evidence, the flow back within the recovery
timeout, and certification's state equal to a rebuild from its log.
"""

from __future__ import annotations

import pytest

from tests.chaos.run import HEADER, Options, run

pytestmark = pytest.mark.fault


@pytest.mark.timeout(170)
async def test_faults_at_load_lose_nothing_and_double_nothing() -> None:
    options = Options(
        replicas=[1],
        faults=["kill-learning", "nats-down", "pg-restart"],
        writers=6,
        nats_down=5.0,
        pg_restarts=1,
        before=2.0,
        after=2.0,
        recovery_timeout=20.0,
        converge_timeout=15.0,
    )
    rows = await run(options)
    table = "\n".join([HEADER, *(row.markdown() for row in rows)])
    print("\n" + table)
    assert [row.fault for row in rows] == options.faults
    assert all(row.clean for row in rows), table
