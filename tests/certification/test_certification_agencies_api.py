"""Onboarding an agency: a platform operator registers it with its first admin."""

from __future__ import annotations

from typing import Any

import httpx

from tests.certification.certification_client import CertificationApi

OPERATOR = ("platform_operator", "operator-1", "platform")


def new_agency(agency_id: str, **changes: Any) -> dict[str, Any]:
    return {
        "agency_id": agency_id,
        "name": "North County Family Services",
        "url": "https://northcounty.example.org",
        "first_admin_id": "admin-nc",
    } | changes


async def as_operator(certification: CertificationApi, body: dict[str, Any]) -> httpx.Response:
    role, subject, agency = OPERATOR
    return await certification.post("/agencies", body, role, subject=subject, agency=agency)


async def test_an_operator_registers_an_agency_whose_first_admin_can_act_at_once(
    certification: CertificationApi,
) -> None:
    agency_id = f"{certification.agency_id}-nc"

    response = await as_operator(certification, new_agency(agency_id))
    token = response.json()["first_admin"]["token"]
    roster = await certification.client.get(
        "/practitioners", headers={"Authorization": f"Bearer {token}"}
    )
    listed = await certification.get("/agencies", OPERATOR[0], agency=OPERATOR[2])

    assert response.status_code == 201, response.text
    assert response.json()["first_admin"]["subject"] == "admin-nc"
    assert response.json()["registered_by"] == "platform/operator-1"
    assert roster.status_code == 200, roster.text
    assert agency_id in [a["agency_id"] for a in listed.json()]


async def test_registering_again_is_a_repeat_without_a_new_token_and_other_content_a_conflict(
    certification: CertificationApi,
) -> None:
    agency_id = f"{certification.agency_id}-nc"
    await as_operator(certification, new_agency(agency_id))

    again = await as_operator(certification, new_agency(agency_id))
    renamed = await as_operator(certification, new_agency(agency_id, name="Another name"))

    assert again.status_code == 200
    assert again.json()["first_admin"]["token"] is None
    assert renamed.status_code == 409


async def test_only_a_platform_operator_registers_agencies(
    certification: CertificationApi,
) -> None:
    as_admin = await certification.post("/agencies", new_agency("agency-x"), "admin")
    bad_id = await as_operator(certification, new_agency("Not An Id"))

    assert as_admin.status_code == 403
    assert bad_id.status_code == 422
    assert "agency_id" in bad_id.text
