"""The portal's routers, in the order the app includes them."""

from __future__ import annotations

from fastapi import APIRouter

from services.portal.entrypoints import (
    admin_lms,
    admin_policies,
    admin_roster,
    board,
    coach,
    observe,
    practitioner,
    signin,
    team,
    verify,
)

routers: list[APIRouter] = [
    signin.router,
    board.router,
    team.router,
    practitioner.router,
    observe.router,
    coach.router,
    admin_roster.router,
    admin_policies.router,
    admin_lms.router,
    verify.router,
]
