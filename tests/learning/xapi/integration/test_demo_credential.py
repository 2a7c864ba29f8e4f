"""`make run` seeds a demo LMS credential for the demo agency, idempotently."""

from __future__ import annotations

from services.learning.bootstrap import create_service_app
from shared.servers import NatsServer, PostgresServer
from shared.testing.apps import bearer, running
from tests.learning.xapi.integration.conftest import lrs_settings
from tests.learning.xapi.integration.lrs_client import VERSION, basic


async def test_the_demo_credential_is_seeded_once_and_survives_restarts(
    postgres_server: PostgresServer, nats_server: NatsServer
) -> None:
    settings = lrs_settings(
        postgres_server, nats_server, demo_xapi_key="demo-lms", demo_xapi_secret="s3cret-demo"
    )
    for _start in range(2):  # a second start changes nothing
        async with running(create_service_app(settings)) as client:
            statements = await client.get(
                "/xapi/statements", headers={**VERSION, **basic("demo-lms", "s3cret-demo")}
            )
            assert statements.status_code == 200, statements.text
            listed = await client.get(
                "/xapi-credentials",
                headers=bearer(settings, "demo-agency", "admin"),
            )
            assert [c["key"] for c in listed.json()] == ["demo-lms"]
