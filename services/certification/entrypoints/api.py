"""HTTP routers of the certification service."""

from __future__ import annotations

from fastapi import APIRouter

routers: list[APIRouter] = []
