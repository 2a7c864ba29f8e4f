"""The role × action matrix of the fidelity service: the only place access is decided."""

from __future__ import annotations

from shared.auth import Role

PERMISSIONS: dict[str, frozenset[Role]] = {}
