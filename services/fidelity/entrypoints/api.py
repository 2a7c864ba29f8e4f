"""HTTP routers of the fidelity service."""

from __future__ import annotations

from fastapi import APIRouter

routers: list[APIRouter] = []
