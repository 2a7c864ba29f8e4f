"""What `make run` prints once everything is ready: URLs and demo tokens per role."""

from __future__ import annotations

from pathlib import Path

from shared.auth import Role, issue_token
from system.local_data import DEMO_AGENCY, local_settings
from system.topology import SERVICE_PORTS


def seed_demo(data_dir: Path) -> dict[str, str]:
    """Demo tokens for the demo agency (services seed their own reference data)."""
    settings = local_settings(data_dir)
    return {
        role.value: issue_token(
            settings, subject=f"demo-{role.value}", agency_id=DEMO_AGENCY, roles=[role.value]
        )
        for role in (Role.ADMIN, Role.COACH, Role.OBSERVER, Role.SUPERVISOR)
    }


def print_banner(ready: dict[str, float], total_seconds: float, tokens: dict[str, str]) -> None:
    print(f"\nMiiWrap is up in {total_seconds:.1f}s (Ctrl-C stops everything):")
    for name, port in SERVICE_PORTS.items():
        print(f"  {name:<14} http://127.0.0.1:{port}/docs   ready after {ready[name]:.1f}s")
    print(f"\nDemo agency '{DEMO_AGENCY}' bearer tokens (valid 8 hours):")
    for role, token in tokens.items():
        print(f"  {role:<11} {token}")
    print("\nMore tokens: .venv/bin/miiwrap token --agency <id> --role <role>")
