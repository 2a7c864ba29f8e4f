"""An agency app: follow one agency's certification events as they arrive, and print them.

What an HR, scheduling or billing system of an agency does to learn that a practitioner
was granted, is at risk, lapsed, revoked…: a durable JetStream pull consumer named after
the agency, filtered to `miiwrap.certification.<agency>.>` on stream
`MIIWRAP_CERTIFICATION`, with the agency's own inbox prefix. Durable means a restart
resumes where it stopped; each event is acknowledged after it is handled.

Against `make run` (no NATS users; the demo agency is `demo-agency`):

    .venv/bin/python examples/agency_app.py --agency demo-agency

Against `make run-secure` (the agency app user may only read its own subjects, through a
consumer named after the agency; the password is printed by `make run-secure`):

    .venv/bin/python examples/agency_app.py --agency demo-agency \\
        --user app-demo-agency --password <password>

Then register a practitioner and feed evidence (see the README), or revoke one:

    curl -X POST localhost:8004/practitioners -H "Authorization: Bearer $ADMIN" \\
        -H 'content-type: application/json' \\
        -d '{"practitioner_id": "pr-1", "role": "facilitator", "program_start": "2025-01-06"}'
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

import nats
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

EventHandler = Callable[[dict[str, Any]], Awaitable[None]]


def describe(event: dict[str, Any]) -> str:
    """One line per event: when in practice, what, about whom, and why in short."""
    data = event.get("data", {})
    name = event["type"].split(".")[-2]
    line = f"{event['time'][:10]}  {name:<26} {event.get('subject') or '-':<16}"
    if name == "credential_issued":
        line += f" {data['level']}: credential issued, valid from {data['valid_from']}"
    elif name == "credential_status_changed":
        line += f" {data['level']}: credential {data['status']} ({data['reason']})"
    elif "level" in data:
        line += f" {data['level']}: {data['from_status']} -> {data['to_status']}"
        line += f" (policy {data['policy_id']} v{data['policy_version']})"
        if data.get("reason"):
            line += f" reason: {data['reason']}"
        if data.get("correction"):
            line += " [correction]"
    elif name == "practitioner_registered":
        line += f" {data['role']}, program start {data['program_start']}"
    elif name == "practitioner_details_changed":
        line += " " + ", ".join(f"{field} {data[field]}" for field in data["changed"])
    elif name == "practitioner_left" and data.get("reason"):
        line += f" reason: {data['reason']}"
    return line


async def print_event(event: dict[str, Any]) -> None:
    print(describe(event), flush=True)


async def follow(
    agency_id: str,
    *,
    url: str = "nats://127.0.0.1:4222",
    user: str | None = None,
    password: str | None = None,
    subject_root: str = "miiwrap",
    handle: EventHandler = print_event,
    max_events: int | None = None,
    wait_for_stream: float = 60.0,
) -> int:
    """Handle the agency's certification events, durably; returns how many were handled."""
    client = await nats.connect(
        url,
        user=user,
        password=password,
        inbox_prefix=f"_INBOX_{agency_id}",  # the only inbox an agency app may subscribe to
        name=f"agency-app-{agency_id}",
    )
    stream = f"{subject_root}_certification".upper()
    subject = f"{subject_root}.certification.{agency_id}.>"
    handled = 0
    try:
        js = client.jetstream()
        config = ConsumerConfig(
            name=agency_id,  # the consumer name the NATS permissions pin for this agency
            durable_name=agency_id,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
        )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_for_stream
        while True:  # the stream appears with the certification service's first event
            try:
                subscription = await js.pull_subscribe(
                    subject, durable=agency_id, stream=stream, config=config
                )
                break
            except NotFoundError:
                if loop.time() > deadline:
                    raise
                await asyncio.sleep(0.5)
        while max_events is None or handled < max_events:
            try:
                messages = await subscription.fetch(10, timeout=2)
            except (NatsTimeoutError, TimeoutError):
                continue
            for message in messages:
                await handle(json.loads(message.data))
                await message.ack()
                handled += 1
    finally:
        with contextlib.suppress(Exception):
            await client.close()
    return handled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--agency", required=True, help="agency id, e.g. demo-agency")
    parser.add_argument("--url", default="nats://127.0.0.1:4222")
    parser.add_argument("--user", help="NATS user (make run-secure: app-<agency>)")
    parser.add_argument("--password", help="NATS password (printed by make run-secure)")
    parser.add_argument("--subject-root", default="miiwrap")
    args = parser.parse_args()
    print(f"following {args.subject_root}.certification.{args.agency}.> (Ctrl-C stops)")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            follow(
                args.agency,
                url=args.url,
                user=args.user,
                password=args.password,
                subject_root=args.subject_root,
            )
        )


if __name__ == "__main__":
    main()
