"""Metrics, traces and the operations API of a running service (one app for the module)."""

from __future__ import annotations

import gc
import json
import logging
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from fastapi import FastAPI
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from shared.servers import NatsServer, PostgresServer
from shared.testing.apps import bearer, runtime_of
from shared.testing.waiting import eventually
from shared.tracing import traced_by
from tests.kernel.observed import LedgerSettings, ledger_app, ledger_running, ledger_settings

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Ledger:
    client: httpx.AsyncClient
    settings: LedgerSettings
    app: FastAPI

    def connection(self) -> Any:
        return runtime_of(self.app).pool.acquire()

    def headers(self, agency: str, *roles: str) -> dict[str, str]:
        return bearer(self.settings, agency, *roles)

    async def book(self, agency: str, subject: str, amount: int, **headers: str) -> str:
        response = await self.client.post(
            f"/amounts/{subject}",
            json={"subject": subject, "amount": amount},
            headers=self.headers(agency, "admin") | headers,
        )
        assert response.status_code == 201, response.text
        event_id: str = response.json()["event_id"]
        return event_id

    async def total(self, subject: str) -> int | None:
        async with self.connection() as conn:
            value: int | None = await conn.fetchval(
                "SELECT total FROM ledger_totals WHERE subject = $1", subject
            )
        return value

    async def scrape(self) -> dict[str, list[tuple[dict[str, str], float]]]:
        response = await self.client.get("/metrics")
        assert response.status_code == 200
        samples: dict[str, list[tuple[dict[str, str], float]]] = {}
        for family in text_string_to_metric_families(response.text):
            for sample in family.samples:
                samples.setdefault(sample.name, []).append((sample.labels, sample.value))
        return samples


@pytest.fixture(scope="module")
async def ledger(postgres_server: PostgresServer, nats_server: NatsServer) -> AsyncIterator[Ledger]:
    settings = ledger_settings(postgres_server, nats_server)
    async with ledger_running(settings) as (client, app):
        yield Ledger(client, settings, app)


def agency() -> str:
    return "agency-" + uuid.uuid4().hex[:8]


def value_of(samples: list[tuple[dict[str, str], float]], **labels: str) -> float:
    matching = [v for found, v in samples if labels.items() <= found.items()]
    assert matching, f"no sample with {labels} among {samples}"
    return sum(matching)


async def test_a_scrape_shows_requests_events_outbox_consumers_and_the_pool(
    ledger: Ledger,
) -> None:
    await ledger.book(agency(), "scraped", 3)

    async def projected_and_sampled() -> bool:
        samples = await ledger.scrape()
        sampled = {"miiwrap_relay_lag_seconds", "miiwrap_consumer_pending_messages"}
        return await ledger.total("scraped") == 3 and sampled <= samples.keys()

    await eventually(projected_and_sampled)
    samples = await ledger.scrape()
    route = {"route": "/amounts/{subject}", "method": "POST"}
    assert value_of(samples["miiwrap_http_requests_total"], **route, status="201") >= 1
    assert value_of(samples["miiwrap_http_request_duration_seconds_count"], **route) >= 1
    assert "miiwrap_http_request_duration_seconds_bucket" in samples
    assert value_of(samples["miiwrap_events_appended_total"], event="amount_booked") >= 1
    for outbox in ("miiwrap_relay_lag_events", "miiwrap_relay_lag_seconds"):
        assert value_of(samples[outbox], service="ledger") >= 0
    assert value_of(samples["miiwrap_relay_published_total"]) >= 1
    consumer = {"consumer": f"ledger-{ledger.settings.db_schema}"}
    assert value_of(samples["miiwrap_consumer_delivered_total"], **consumer) >= 1
    assert value_of(samples["miiwrap_consumer_processing_seconds_count"], **consumer) >= 1
    for counted in ("redelivered", "dead_lettered"):
        assert value_of(samples[f"miiwrap_consumer_{counted}_total"], **consumer) >= 0
    assert value_of(samples["miiwrap_consumer_pending_messages"], **consumer) >= 0
    assert 0 <= value_of(samples["miiwrap_db_pool_connections_in_use"]) <= 5
    gc.collect()  # a full collection: its pause is in the histogram
    paused = (await ledger.scrape())["miiwrap_gc_pause_seconds_count"]
    assert value_of(paused, generation="2") >= 1
    await ledger.client.get("/no/such/path/42")
    unmatched = (await ledger.scrape())["miiwrap_http_requests_total"]
    assert value_of(unmatched, route="unmatched", status="404") >= 1  # not one series per path
    # no label carries a tenant
    assert not any("agency" in labels for values in samples.values() for labels, _ in values)


async def test_a_request_an_event_its_publish_and_its_consumer_are_one_trace(
    ledger: Ledger,
) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    caller_trace = uuid.uuid4().hex
    traceparent = f"00-{caller_trace}-{uuid.uuid4().hex[:16]}-01"
    with traced_by(provider):
        event_id = await ledger.book(agency(), "traced", 5, traceparent=traceparent)
        await eventually(lambda: _is(ledger.total("traced"), 5))

        def consumer_span() -> list[ReadableSpan]:
            return [s for s in exporter.get_finished_spans() if s.kind == SpanKind.CONSUMER]

        await eventually(lambda: _holds(bool(consumer_span())))
    spans = exporter.get_finished_spans()
    [server] = [s for s in spans if s.kind == SpanKind.SERVER and s.name.startswith("POST")]
    [publish] = [s for s in spans if s.kind == SpanKind.PRODUCER]
    [process] = [s for s in spans if s.kind == SpanKind.CONSUMER]
    assert server.name == "POST /amounts/{subject}"
    trace_ids = {format(s.context.trace_id, "032x") for s in (server, publish, process)}
    assert trace_ids == {caller_trace}  # the caller's trace, continued end to end
    assert publish.parent is not None and publish.parent.span_id == server.context.span_id
    assert process.parent is not None and process.parent.span_id == publish.context.span_id
    async with ledger.connection() as conn:
        metadata = json.loads(
            await conn.fetchval(
                "SELECT metadata::text FROM events WHERE event_id = $1", uuid.UUID(event_id)
            )
        )
    assert metadata["traceparent"].split("-")[1] == caller_trace  # the CloudEvent's extension


async def _is(value: Any, expected: Any) -> bool:
    return bool(await value == expected)


async def _holds(condition: bool) -> bool:
    return condition


async def test_the_operations_api_lists_retries_and_discards_real_dead_letters(
    ledger: Ledger,
) -> None:
    mine, theirs = agency(), agency()
    admin, auditor = ledger.headers(mine, "admin"), ledger.headers(mine, "auditor")
    await ledger.book(mine, "poisoned", -7)
    await ledger.book(mine, "poisoned", -8)

    async def two_dead() -> bool:
        listed = await ledger.client.get("/operations/dead-letters?status=dead", headers=admin)
        return len(listed.json()["items"]) == 2

    await eventually(two_dead)
    consumer = {"consumer": f"ledger-{ledger.settings.db_schema}"}

    async def counted_open() -> bool:
        samples = await ledger.scrape()
        return value_of(samples["miiwrap_dead_letters_open"], **consumer) == 2

    await eventually(counted_open)
    samples = await ledger.scrape()
    assert value_of(samples["miiwrap_consumer_redelivered_total"], **consumer) >= 2
    first = await ledger.client.get("/operations/dead-letters?limit=1", headers=auditor)
    assert first.status_code == 200
    second = await ledger.client.get(
        f"/operations/dead-letters?limit=1&cursor={first.json()['next_cursor']}", headers=auditor
    )
    # a page each; which of the two was dead-lettered first is the redeliveries' race
    paged = first.json()["items"] + second.json()["items"]
    by_amount = {x["payload"]["data"]["amount"]: x for x in paged}
    assert len(paged) == 2 and set(by_amount) == {-7, -8}
    letter, other_letter = by_amount[-7], by_amount[-8]
    assert letter["status"] == "dead" and letter["deliveries"] == 2
    assert "negative amount (-7)" in letter["error"]
    assert "negative amount (-8)" in other_letter["error"]
    other = await ledger.client.get(
        "/operations/dead-letters", headers=ledger.headers(theirs, "admin")
    )
    assert other.json()["items"] == []  # another agency's letters are not listed
    retry_url = f"/operations/dead-letters/{letter['id']}/retry"
    assert (await ledger.client.post(retry_url, headers=auditor)).status_code == 403

    still = await ledger.client.post(retry_url, headers=admin)
    assert still.status_code == 409
    assert still.headers["content-type"] == "application/problem+json"
    assert "failed again" in still.json()["detail"]

    async with ledger.connection() as conn:
        await conn.execute("INSERT INTO ledger_cures (amount) VALUES (-7)")
    retried = await ledger.client.post(retry_url, headers=admin)
    assert retried.status_code == 200, retried.text
    assert retried.json()["status"] == "retried" and retried.json()["resolved_by"].startswith(mine)
    assert await ledger.total("poisoned") == -7  # handled by the consumer's handler
    again = await ledger.client.post(retry_url, headers=admin)
    assert again.json() == retried.json()  # idempotent: handled once
    assert await ledger.total("poisoned") == -7
    refused = await ledger.client.post(
        f"/operations/dead-letters/{letter['id']}/discard", headers=admin
    )
    assert refused.status_code == 409

    other_id = other_letter["id"]
    discard_url = f"/operations/dead-letters/{other_id}/discard"
    discarded = await ledger.client.post(discard_url, headers=admin)
    assert discarded.json()["status"] == "discarded"
    assert (await ledger.client.post(discard_url, headers=admin)).json() == discarded.json()
    assert (
        await ledger.client.post(f"/operations/dead-letters/{other_id}/retry", headers=admin)
    ).status_code == 409

    unknown = await ledger.client.get("/operations/dead-letters/987654321", headers=admin)
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    hidden = await ledger.client.post(retry_url, headers=ledger.headers(theirs, "admin"))
    assert hidden.status_code == 404  # another agency's letter does not exist for them


async def test_consumer_and_relay_positions_and_lag_are_reported(ledger: Ledger) -> None:
    mine = agency()
    await ledger.book(mine, "positioned", 1)
    await eventually(lambda: _is(ledger.total("positioned"), 1))
    headers = ledger.headers(mine, "auditor")

    async def relay_caught_up() -> bool:
        relay = (await ledger.client.get("/operations/relay", headers=headers)).json()
        return bool(relay["lag_events"] == 0 and relay["published"] >= 1)

    await eventually(relay_caught_up)
    relay = (await ledger.client.get("/operations/relay", headers=headers)).json()
    assert relay["leading"] is True and relay["lag_seconds"] == 0
    assert relay["checkpoint_position"] >= 1 and relay["lease_holder"]
    [consumer] = (await ledger.client.get("/operations/consumers", headers=headers)).json()
    assert consumer["name"] == f"ledger-{ledger.settings.db_schema}"
    assert consumer["error"] is None and consumer["delivered"] >= 1
    assert consumer["pending"] is not None and consumer["open_dead_letters"] >= 0
    practitioner = ledger.headers(mine, "coach")
    assert (await ledger.client.get("/operations/relay", headers=practitioner)).status_code == 403


METRIC_NAME = re.compile(r"\b(miiwrap_[a-z_]+)\b")
SUFFIXES = ("_bucket", "_count", "_sum", "_total")


def names_in(expressions: list[str]) -> set[str]:
    return {name for expr in expressions for name in METRIC_NAME.findall(expr)}


async def test_the_alert_rules_and_dashboard_use_only_series_a_service_exports(
    ledger: Ledger,
) -> None:
    rules = yaml.safe_load((ROOT / "deploy/prometheus/alerts.yaml").read_text())
    alerts = [rule for group in rules["groups"] for rule in group["rules"]]
    dashboard = json.loads((ROOT / "deploy/grafana/miiwrap-dashboard.json").read_text())
    panel_exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    wanted = names_in([rule["expr"] for rule in alerts]) | names_in(panel_exprs)
    # certification's own series come from its app: checked in its scrape below
    certification = {n for n in wanted if n.startswith("miiwrap_certification_")}
    exported = set(await ledger.scrape())
    missing = {n for n in wanted - certification if n not in exported}
    assert not missing, f"named in deploy/ but not exported: {sorted(missing)}"
    assert {"MiiwrapRelayLagging", "MiiwrapConsumerLagging", "MiiwrapDeadLetters"} <= {
        rule["alert"] for rule in alerts
    }
    assert any("readyz" in rule["expr"] or "up{" in rule["expr"] for rule in alerts)

    from services.certification.bootstrap import create_service_app
    from services.certification.config import CertificationSettings

    app = create_service_app(CertificationSettings(environment="test"))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        text = (await client.get("/metrics")).text
    certification_exported = {
        sample.name for family in text_string_to_metric_families(text) for sample in family.samples
    }
    assert {n for n in certification if n not in certification_exported} == set()
    assert "miiwrap_certification_fold_seconds_count" in certification_exported


async def test_metrics_need_the_scrape_token_when_one_is_set_and_always_in_production() -> None:
    guarded = ledger_app(LedgerSettings(environment="test", metrics_token=SecretStr("s3cret")))
    production = ledger_app(
        LedgerSettings(environment="production", jwt_secret=SecretStr("x" * 40))
    )
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=guarded), base_url="http://t") as g,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=production), base_url="http://t") as p,
    ):
        assert (await g.get("/metrics")).status_code == 401
        wrong = await g.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        assert wrong.headers["content-type"] == "application/problem+json"
        right = await g.get("/metrics", headers={"Authorization": "Bearer s3cret"})
        assert right.status_code == 200
        closed = await p.get("/metrics")
        assert closed.status_code == 401 and "METRICS_TOKEN" in closed.json()["detail"]


async def test_the_access_line_at_info_and_the_event_carry_the_request_and_trace_ids(
    ledger: Ledger, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="miiwrap.access")
    event_id = await ledger.book(agency(), "logged", 2, **{"X-Request-ID": "obs-req-1"})
    async with ledger.connection() as conn:
        metadata = json.loads(
            await conn.fetchval(
                "SELECT metadata::text FROM events WHERE event_id = $1", uuid.UUID(event_id)
            )
        )
    [line] = [
        r.msg
        for r in caplog.records
        if r.name == "miiwrap.access" and isinstance(r.msg, dict) and r.msg.get("method") == "POST"
    ]
    assert line["request_id"] == metadata["request_id"] == "obs-req-1"
    assert line["status"] == 201
    # tracing is off here: no span recorded, yet the event shares the request's trace id
    assert line["trace_id"] == metadata["traceparent"].split("-")[1]
