"""End to end: an LMS's xAPI Statement becomes certification evidence, and voiding it
takes the evidence back — learning and certification over real NATS and PostgreSQL.

The LMS sends the README's kind of Statement (a scored `passed`, no registration) on
an Activity mapped as module M1; learning records the attempt and `module_mastered`,
certification takes in the mastery. The LMS then voids the Statement: learning appends
`evidence_retracted`, certification drops the mastery, and a rebuild of certification's
projections from its own log gives the same state.
"""

from __future__ import annotations

import base64
import urllib.parse
import uuid
from collections.abc import Callable
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from services.certification.bootstrap import create_service_app as certification_app
from services.certification.config import CertificationSettings
from services.learning.bootstrap import create_service_app as learning_app
from services.learning.config import LearningSettings
from shared.roster_client import until_on_roster
from shared.testing.apps import bearer, running
from shared.testing.waiting import eventually

LMS = "https://lms.example.org"
COURSE = LMS + "/courses/miiwrap/modules/M1"
PRACTITIONER = "prac-lee"
VERSION = {"X-Experience-API-Version": "1.0.3"}


def modules_requirement(state: dict[str, Any]) -> dict[str, Any]:
    for level in state["levels"]:
        for requirement in level["requirements"]:
            if requirement["requirement"] == "modules_mastered_in_order":
                found: dict[str, Any] = requirement
                return found
    raise AssertionError(f"no modules requirement in {state}")


async def test_voiding_a_statement_retracts_the_mastery_certification_took_in(
    settings_for: Callable[..., Any], agency_id: str
) -> None:
    learning_settings = settings_for(LearningSettings, lapse_check_interval_seconds=0)
    certification_settings = settings_for(CertificationSettings, db_pool_max=10)
    async with AsyncExitStack() as stack:
        learning = await stack.enter_async_context(running(learning_app(learning_settings)))
        certification = await stack.enter_async_context(
            running(certification_app(certification_settings))
        )

        def admin(settings: Any) -> dict[str, str]:
            return bearer(settings, agency_id, "admin", subject="admin-ada")

        async def ok(response: httpx.Response) -> Any:
            assert response.status_code in (200, 201, 204), response.text
            return response.json() if response.content else None

        start = (datetime.now(UTC) - timedelta(days=30)).date()
        await ok(
            await certification.post(
                "/practitioners",
                json={
                    "practitioner_id": PRACTITIONER,
                    "role": "facilitator",
                    "program_start": start.isoformat(),
                    "coach_id": None,
                    "supervisor_id": None,
                },
                headers=admin(certification_settings),
            )
        )
        la = admin(learning_settings)
        await ok(  # learning's roster copy has the registration a moment later
            await until_on_roster(
                lambda: learning.post(
                    "/enrollments",
                    json={"practitioner_id": PRACTITIONER, "enrolled_on": start.isoformat()},
                    headers=la,
                )
            )
        )
        home = urllib.parse.quote(LMS, safe="")
        await ok(await learning.put(f"/xapi-mappings/account-home-pages/{home}", headers=la))
        await ok(
            await learning.put(
                f"/xapi-mappings/activities/{urllib.parse.quote(COURSE, safe='')}",
                json={"kind": "module", "target_id": "M1", "move_on": "CompletedAndPassed"},
                headers=la,
            )
        )
        issued = await ok(
            await learning.post("/xapi-credentials", json={"partner_name": "Moodle"}, headers=la)
        )
        token = base64.b64encode(f"{issued['key']}:{issued['secret']}".encode()).decode()
        lms = {**VERSION, "Authorization": f"Basic {token}"}

        passed = {
            "id": str(uuid.uuid4()),
            "actor": {"account": {"homePage": LMS, "name": PRACTITIONER}},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/passed"},
            "object": {"id": COURSE},
            "result": {"score": {"scaled": 0.9}},
            "timestamp": (datetime.now(UTC) - timedelta(days=2)).isoformat(),
        }
        await ok(await learning.post("/xapi/statements", json=passed, headers=lms))

        async def certification_state() -> dict[str, Any]:
            response = await certification.get(
                f"/practitioners/{PRACTITIONER}/certification",
                headers=admin(certification_settings),
            )
            found: dict[str, Any] = await ok(response)
            return found

        async def mastered() -> bool:
            requirement = modules_requirement(await certification_state())
            return requirement["reason"].startswith("1 of")

        await eventually(mastered, timeout=30)
        mastery_ids = modules_requirement(await certification_state())["evidence_ids"]
        assert len(mastery_ids) == 1

        voiding = {
            "actor": {"account": {"homePage": LMS, "name": "lms-admin"}},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
            "object": {"objectType": "StatementRef", "id": passed["id"]},
        }
        await ok(await learning.post("/xapi/statements", json=voiding, headers=lms))

        async def retracted() -> bool:
            requirement = modules_requirement(await certification_state())
            return requirement["reason"].startswith("0 of")

        await eventually(retracted, timeout=30)
        after = modules_requirement(await certification_state())
        assert not set(after["evidence_ids"]) & set(mastery_ids)

        outcome = await ok(
            await learning.get(f"/xapi-mappings/statements/{passed['id']}", headers=la)
        )
        assert (outcome["outcome"], outcome["reason"]) == ("skipped", "voided")
        assert "retracted" in outcome["detail"]

        rebuilt = await certification.post(
            "/projections/rebuild", headers=admin(certification_settings)
        )
        assert rebuilt.status_code in (200, 202), rebuilt.text
        assert modules_requirement(await certification_state()) == after
