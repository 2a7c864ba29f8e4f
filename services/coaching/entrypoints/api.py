"""HTTP routers of the coaching service."""

from __future__ import annotations

from fastapi import APIRouter

routers: list[APIRouter] = []
