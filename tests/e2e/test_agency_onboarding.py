"""Onboarding an agency: record, first admin, LMS credential and an agency-app NATS user
that works at once — the secured nats-server reloads its configuration, never restarts."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import nats
import pytest
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import ConsumerConfig
from nats.js.errors import Error as JetStreamError

from services.certification.bootstrap import create_service_app as certification_app
from services.certification.config import CertificationSettings
from services.learning.bootstrap import create_service_app as learning_app
from services.learning.config import LearningSettings
from shared.messaging import ensure_stream
from shared.nats_auth import service_inbox_prefix
from shared.servers import NatsServer
from shared.testing.apps import running
from system.local_data import DEMO_AGENCY, nats_passwords
from system.nats_config import write_local_config
from system.onboarding import AgencyRequest, NatsAppUser, OnboardedAgency, onboard_agency

STREAM = "MIIWRAP_CERTIFICATION"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def secured_nats(tmp_path: Path, data_dir: Path) -> Iterator[NatsServer]:
    """A nats-server started, as `make run-secure` starts it, with the local agencies."""
    server = NatsServer(tmp_path / "nats", config_file=write_local_config(data_dir))
    server.start()
    yield server
    server.stop()


async def onboard(
    settings_for: Callable[..., Any], data_dir: Path, server: NatsServer, agency: str
) -> OnboardedAgency:
    certification_settings = settings_for(CertificationSettings)
    async with (
        running(certification_app(certification_settings)) as certification,
        running(learning_app(settings_for(LearningSettings))) as learning,
    ):
        onboarded = await onboard_agency(
            AgencyRequest(agency_id=agency, name="North County Family Services"),
            certification=certification,
            learning=learning,
            signer=certification_settings,
            data_dir=data_dir,
            nats_pid_file=server.pid_file,
        )
        token = {"Authorization": f"Bearer {onboarded.admin_token}"}
        roster = await certification.get("/practitioners", headers=token)
        credentials = await learning.get("/xapi-credentials", headers=token)
    assert roster.status_code == 200, roster.text
    assert [c["key"] for c in credentials.json()] == [onboarded.lms_key]
    return onboarded


async def connect_app(server: NatsServer, user: NatsAppUser, violations: list[str]) -> nats.NATS:
    """Connect as the app user, retrying while the server is still reloading."""

    async def on_error(error: Exception) -> None:
        violations.append(str(error))

    deadline = time.monotonic() + 10
    while True:
        try:
            return await nats.connect(
                server.url,
                user=user.user,
                password=user.password,
                inbox_prefix=user.inbox_prefix,
                error_cb=on_error,
                allow_reconnect=False,
                max_reconnect_attempts=0,
            )
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)


async def publish_certification_events(
    server: NatsServer, data_dir: Path, agencies: list[str]
) -> None:
    service = await nats.connect(
        server.url,
        user="certification",
        password=nats_passwords(data_dir)["certification"],
        inbox_prefix=service_inbox_prefix("certification"),
    )
    js = service.jetstream()
    await ensure_stream(js, STREAM, ["miiwrap.certification.>"])
    for agency in agencies:
        await js.publish(f"miiwrap.certification.{agency}.certification_granted", agency.encode())
    await service.close()


async def test_an_onboarded_agency_app_reads_its_events_durably_without_a_nats_restart(
    settings_for: Callable[..., Any], data_dir: Path, secured_nats: NatsServer, agency_id: str
) -> None:
    assert secured_nats.process is not None
    pid_before = secured_nats.process.pid
    await publish_certification_events(secured_nats, data_dir, [DEMO_AGENCY])

    onboarded = await onboard(settings_for, data_dir, secured_nats, agency_id)
    await publish_certification_events(secured_nats, data_dir, [agency_id])
    violations: list[str] = []
    app = await connect_app(secured_nats, onboarded.nats, violations)
    sub = await app.jetstream().pull_subscribe(
        f"miiwrap.certification.{agency_id}.>",
        durable=agency_id,
        stream=STREAM,
        config=ConsumerConfig(name=agency_id),
    )
    [message] = await sub.fetch(1, timeout=5)
    await message.ack()

    assert onboarded.nats.reloaded
    assert message.subject == f"miiwrap.certification.{agency_id}.certification_granted"
    assert message.data == agency_id.encode()
    assert violations == []
    assert secured_nats.running and secured_nats.process.pid == pid_before
    await app.close()


async def test_an_onboarded_agency_app_is_refused_another_agencys_subjects(
    settings_for: Callable[..., Any], data_dir: Path, secured_nats: NatsServer, agency_id: str
) -> None:
    onboarded = await onboard(settings_for, data_dir, secured_nats, agency_id)
    await publish_certification_events(secured_nats, data_dir, [DEMO_AGENCY])
    violations: list[str] = []
    app = await connect_app(secured_nats, onboarded.nats, violations)

    live = await app.subscribe(f"miiwrap.certification.{DEMO_AGENCY}.>")
    await app.flush()
    with pytest.raises((JetStreamError, NatsTimeoutError, asyncio.TimeoutError)):
        await app.jetstream().add_consumer(
            STREAM,
            ConsumerConfig(
                name=agency_id,
                durable_name=agency_id,
                filter_subject=f"miiwrap.certification.{DEMO_AGENCY}.>",
            ),
            timeout=2,
        )
    with pytest.raises(NatsTimeoutError):
        await live.next_msg(timeout=1)
    await asyncio.sleep(0.2)

    assert any(f'subscription to "miiwrap.certification.{DEMO_AGENCY}.>"' in v for v in violations)
    await app.close()


async def test_onboarding_again_is_a_repeat_that_refreshes_the_lms_secret(
    settings_for: Callable[..., Any], data_dir: Path, secured_nats: NatsServer, agency_id: str
) -> None:
    first = await onboard(settings_for, data_dir, secured_nats, agency_id)
    again = await onboard(settings_for, data_dir, secured_nats, agency_id)

    assert (first.created, again.created) == (True, False)
    assert again.lms_key == first.lms_key and again.lms_secret != first.lms_secret
    assert again.nats.password == first.nats.password
