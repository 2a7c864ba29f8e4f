"""Claims map to a MiiWrap person; each role lands on its page; reasons link to records."""

from __future__ import annotations

from datetime import date

import pytest

from services.portal.adapters.oidc import SignInRefused, viewer_from_claims
from services.portal.config import PortalSettings
from services.portal.domain.practitioner import reason_parts, timeline_series
from services.portal.domain.viewer import Viewer
from services.portal.entrypoints.signin import landing
from shared.auth import Role

OIDC = PortalSettings(
    sign_in="oidc",
    oidc_discovery_url="https://idp.example/.well-known/openid-configuration",
    oidc_client_id="portal",
    oidc_agency_claim="tenant",
    oidc_roles_claim="groups",
    oidc_role_map={"wrap-sup": "supervisor"},
)


def test_agency_and_roles_come_from_the_configured_claims() -> None:
    claims = {"sub": "olga", "tenant": "agency-a", "groups": ["wrap-sup", "staff"], "name": "Olga"}
    viewer = viewer_from_claims(OIDC, claims, "token")
    assert (viewer.subject, viewer.agency_id, viewer.roles) == (
        "olga",
        "agency-a",
        frozenset({Role.SUPERVISOR}),
    )


def test_a_person_without_a_miiwrap_role_is_refused_with_the_reason() -> None:
    with pytest.raises(SignInRefused, match="no MiiWrap role"):
        viewer_from_claims(OIDC, {"sub": "x", "tenant": "agency-a", "groups": ["staff"]}, "t")


def test_production_refuses_local_sign_in_and_a_weak_session_secret() -> None:
    with pytest.raises(ValueError, match="session secret"):
        PortalSettings(
            environment="production",
            sign_in="oidc",
            oidc_discovery_url="https://i",
            oidc_client_id="c",
        )


def viewer(*roles: Role) -> Viewer:
    return Viewer("p-1", "agency-a", frozenset(roles), "t", "P")


def test_each_role_lands_on_the_page_for_its_first_question() -> None:
    assert landing(viewer(Role.SUPERVISOR)) == "/board"
    assert landing(viewer(Role.COACH)) == "/team"
    assert landing(viewer(Role.OBSERVER)) == "/observe"
    assert landing(viewer(Role.PRACTITIONER)) == "/practitioners/p-1"


def test_a_session_survives_its_round_trip_and_a_tampered_one_is_nobody() -> None:
    signed = viewer(Role.ADMIN, Role.COACH)
    assert Viewer.from_session(signed.to_session()) == signed
    assert Viewer.from_session({"sub": "x", "roles": ["emperor"]}) is None
    assert Viewer.from_session("nonsense") is None


def test_record_ids_in_a_reason_link_only_to_records_the_page_lists() -> None:
    listed = "c141dc98-f70a-450b-ae9e-5961c15ee706"
    other = "6a3e4415-1ea2-4b5e-92df-7e69b1a804a9"
    parts = reason_parts(f"last qualifying {listed} on 2026-11-26; {other} below", {listed})
    assert parts == [
        ("last qualifying ", None),
        (listed, listed),
        (f" on 2026-11-26; {other} below", None),
    ]


def test_the_timeline_steps_through_transitions_up_to_the_day_asked() -> None:
    transitions = [
        {"level": "facilitator", "effective_on": "2026-01-01", "to_status": "certified"},
        {"level": "facilitator", "effective_on": "2026-03-01", "to_status": "at_risk"},
        {
            "level": "facilitator",
            "effective_on": "2026-02-01",
            "to_status": "in_progress",
            "retracted_by": "e-1",
        },
    ]
    series = timeline_series(
        transitions, [{"level": "facilitator", "status": "certified"}], date(2026, 2, 15)
    )
    assert series == [
        {"label": "facilitator", "data": [{"x": "2026-01-01", "y": 5}, {"x": "2026-02-15", "y": 5}]}
    ]
