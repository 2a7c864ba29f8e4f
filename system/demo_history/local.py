"""`make run` seeds the demo agency's history once, on empty data.

`.data/demo-history.json` remembers the anchor day (the history's "today") from the
first attempt, so an interrupted seed is resumed with the same dates (and so the same
requests, which the services answer as repeats), and says `done` only after every
request succeeded; from then on `make run` seeds nothing.
"""

from __future__ import annotations

import asyncio
import json
import signal
from collections.abc import Coroutine
from contextlib import AsyncExitStack
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx

from shared.auth import issue_token
from system.demo_history.client import DemoApi
from system.demo_history.driver import SeedReport, seed_agency
from system.local_data import DEMO_AGENCY, DEMO_XAPI_KEY, demo_xapi_secret, local_settings
from system.topology import SERVICE_PORTS

MARKER = "demo-history.json"


def seed_history_once(data_dir: Path) -> str:
    """Seed the demo agency unless done before; one line saying what happened."""
    path = data_dir / MARKER
    state: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    if state.get("done"):
        return (
            f"demo agency history: seeded before ({state['practitioners']} practitioners, "
            f"history up to {state['anchor']})"
        )
    anchor = date.fromisoformat(state["anchor"]) if "anchor" in state else today_utc()
    path.write_text(json.dumps({"anchor": anchor.isoformat(), "done": False}))
    report = run_interruptibly(seed_local(data_dir, anchor))
    path.write_text(
        json.dumps(
            {
                "anchor": anchor.isoformat(),
                "done": True,
                "practitioners": report.practitioners,
                "records_created": report.created,
                "seconds": round(report.seconds, 1),
            }
        )
    )
    return (
        f"demo agency history: {report.practitioners} practitioners, {report.created} records "
        f"over 14 months, seeded in {report.seconds:.0f}s"
    )


Result = TypeVar("Result")
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def run_interruptibly(seeding: Coroutine[Any, Any, Result]) -> Result:
    """Run the seed; Ctrl-C (or SIGTERM) cancels it cleanly and surfaces as the
    KeyboardInterrupt `make run` stops on. A signal handler raising inside the event
    loop would instead leave the seed's task with an exception nobody retrieves (a
    traceback in the log of every interrupted first run)."""

    async def cancelled_on_signal() -> Result:
        loop, task = asyncio.get_running_loop(), asyncio.current_task()
        assert task is not None
        for sig in STOP_SIGNALS:
            loop.add_signal_handler(sig, task.cancel)
        try:
            return await seeding
        finally:
            for sig in STOP_SIGNALS:
                loop.remove_signal_handler(sig)

    previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
    try:
        return asyncio.run(cancelled_on_signal())
    except asyncio.CancelledError:
        raise KeyboardInterrupt from None
    finally:  # asyncio put back the defaults; make run's own handlers stop the stack
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def today_utc() -> date:
    """The services' today (UTC), so no practice date lands in their future."""
    return datetime.now(UTC).date()


async def seed_local(data_dir: Path, anchor: date) -> SeedReport:
    settings = local_settings(data_dir)

    def mint(subject: str, role: str) -> str:
        return issue_token(settings, subject=subject, agency_id=DEMO_AGENCY, roles=[role])

    async with AsyncExitStack() as stack:
        clients = {
            name: await stack.enter_async_context(
                httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60)
            )
            for name, port in SERVICE_PORTS.items()
        }
        lms = (DEMO_XAPI_KEY, demo_xapi_secret(data_dir))
        return await seed_agency(DemoApi(clients, mint, lms=lms), DEMO_AGENCY, anchor)
