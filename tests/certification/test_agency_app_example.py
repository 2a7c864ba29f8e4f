"""The example agency app (examples/agency_app.py) follows one agency's events, durably.

Run against the certification service on the harness NATS, and against a nats-server
configured like `make run-secure`, where the app's user may only read its own agency.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import nats
import pytest
from nats.aio.client import Client

from examples.agency_app import describe, follow
from shared.messaging import ensure_stream
from shared.nats_auth import service_inbox_prefix
from shared.servers import NatsServer
from system.nats_config import render_config
from system.topology import SERVICES
from tests.certification.certification_client import CertificationApi
from tests.certification.test_certification_clock import certified

AGENCY_PASSWORDS = {"agency-a": "a-secret", "agency-b": "b-secret"}
SERVICE_PASSWORDS = {s: f"{s}-pw" for s in SERVICES}


async def test_the_app_prints_its_agencys_certification_events_and_resumes_durably(
    certification: CertificationApi, nats_client: Client, nats_server: NatsServer
) -> None:
    await certified(certification, nats_client, "pr-1")
    seen: list[dict[str, Any]] = []

    async def collect(event: dict[str, Any]) -> None:
        seen.append(event)

    root = certification.settings.subject_root
    options: dict[str, Any] = {"url": nats_server.url, "subject_root": root, "handle": collect}
    assert await follow(certification.agency_id, max_events=2, **options) == 2
    assert [e["type"].split(".")[-2] for e in seen] == [
        "practitioner_registered",
        "certification_granted",
    ]
    assert "facilitator: in_progress -> certified" in describe(seen[1])

    await certification.post("/practitioners/pr-1/revocations", {"reason": "records falsified"})
    await follow(certification.agency_id, max_events=1, **options)  # resumes after the grant
    assert [e["data"]["level"] for e in seen[2:]] == ["facilitator"]  # coach was never held
    assert "reason: records falsified" in describe(seen[2])


@pytest.fixture
def secured_nats(tmp_path: Path) -> NatsServer:
    config = tmp_path / "nats.conf"
    config.write_text(render_config(SERVICE_PASSWORDS, AGENCY_PASSWORDS))
    server = NatsServer(tmp_path / "store", config_file=config)
    server.start()
    yield server  # type: ignore[misc]
    server.stop()


async def test_the_app_works_under_the_secured_nats_of_make_run_secure(
    secured_nats: NatsServer,
) -> None:
    service = await nats.connect(
        secured_nats.url,
        user="certification",
        password=SERVICE_PASSWORDS["certification"],
        inbox_prefix=service_inbox_prefix("certification"),
    )
    js = service.jetstream()
    await ensure_stream(js, "MIIWRAP_CERTIFICATION", ["miiwrap.certification.>"])
    for agency in AGENCY_PASSWORDS:
        event = {
            "id": f"ev-{agency}",
            "type": "org.miiwrap.certification.certification_granted.v1",
            "time": "2025-12-01T12:00:00Z",
            "subject": "pr-1",
            "data": {"agency": agency},
        }
        await js.publish(
            f"miiwrap.certification.{agency}.certification_granted", json.dumps(event).encode()
        )
    await service.close()
    seen: list[dict[str, Any]] = []

    async def collect(event: dict[str, Any]) -> None:
        seen.append(event)

    handled = await asyncio.wait_for(
        follow(
            "agency-a",
            url=secured_nats.url,
            user="app-agency-a",
            password=AGENCY_PASSWORDS["agency-a"],
            handle=collect,
            max_events=1,
        ),
        timeout=20,
    )
    assert handled == 1
    assert [e["data"]["agency"] for e in seen] == ["agency-a"]
