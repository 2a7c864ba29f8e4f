"""What `make run` prints once everything is ready: URLs and demo tokens per role."""

from __future__ import annotations

from pathlib import Path

import httpx

from shared.auth import Role, issue_token
from system.demo_history.client import SeedError
from system.demo_history.local import seed_history_once
from system.demo_history.personas import DEMO_IDENTITIES
from system.local_data import DEMO_AGENCY, local_settings
from system.topology import SERVICE_PORTS


def seed_demo(data_dir: Path) -> dict[str, str]:
    """Demo tokens for the demo agency: its admin, and a supervisor, coach and observer
    of its first team (services seed their own reference data)."""
    settings = local_settings(data_dir)
    return {
        role.value: issue_token(
            settings,
            subject=DEMO_IDENTITIES[role.value],
            agency_id=DEMO_AGENCY,
            roles=[role.value],
        )
        for role in (Role.ADMIN, Role.COACH, Role.OBSERVER, Role.SUPERVISOR)
    }


def seed_history(data_dir: Path) -> str:
    """The demo agency's year of practice, seeded once (system/demo_history)."""
    print(f"seeding the history of '{DEMO_AGENCY}' through the four APIs (first run only) …")
    try:
        return seed_history_once(data_dir)
    except (SeedError, httpx.HTTPError) as error:
        return f"demo agency history NOT complete ({error}); the next make run goes on with it"


def print_banner(
    ready: dict[str, float], total_seconds: float, tokens: dict[str, str], history: str = ""
) -> None:
    print(f"\nMiiWrap is up in {total_seconds:.1f}s (Ctrl-C stops everything):")
    for name, port in SERVICE_PORTS.items():
        print(f"  {name:<14} http://127.0.0.1:{port}/docs   ready after {ready[name]:.1f}s")
    if history:
        print(f"\n{history}")
    print(f"\nDemo agency '{DEMO_AGENCY}' bearer tokens (valid 8 hours):")
    for role, token in tokens.items():
        print(f"  {role:<11} {DEMO_IDENTITIES[role]:<18} {token}")
    print("\nMore tokens: .venv/bin/miiwrap token --agency <id> --role <role>")
