"""The board as CSV: the same people, filters and order as the page, one column per level."""

from __future__ import annotations

import csv
import io

import pytest

from tests.portal.seed import AT_RISK, NEW_STARTER
from tests.portal.sessions import signed_in_client
from tests.portal.stack import Stack

pytestmark = pytest.mark.timeout(300)


async def test_the_csv_export_keeps_the_filters_and_puts_those_at_risk_first(stack: Stack) -> None:
    client, _ = await signed_in_client(stack)
    try:
        everyone = await client.get("/board.csv")
        assert everyone.status_code == 200
        assert everyone.headers["content-type"].startswith("text/csv")
        assert "attachment" in everyone.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(everyone.text)))
        assert rows[0]["attention"] == "at risk"
        assert {"facilitator", "coach", "next_change_on"} <= set(rows[0])
        assert {AT_RISK, NEW_STARTER} <= {r["practitioner_id"] for r in rows}

        in_progress = await client.get("/board.csv", params={"status": "in_progress"})
        kept = list(csv.DictReader(io.StringIO(in_progress.text)))
        assert NEW_STARTER in {r["practitioner_id"] for r in kept}
        assert all("in_progress" in (r["facilitator"], r["coach"]) for r in kept)
    finally:
        await client.aclose()


async def test_a_page_answers_with_its_request_id_and_timings(stack: Stack) -> None:
    client, _ = await signed_in_client(stack)
    try:
        board = await client.get("/board", headers={"X-Request-ID": "portal-test-req-0001"})
        assert board.headers["X-Request-ID"] == "portal-test-req-0001"
        assert "render;dur=" in board.headers["Server-Timing"]
        assert "total;dur=" in board.headers["Server-Timing"]
        assert "default-src 'self'" in board.headers["Content-Security-Policy"]
    finally:
        await client.aclose()


async def test_a_bad_address_is_a_page_in_words_not_json(stack: Stack) -> None:
    client, _ = await signed_in_client(stack)
    try:
        missing = await client.get("/no-such-page")
        assert missing.status_code == 404 and "Not found" in missing.text
        bad = await client.get("/observe/team-meeting-observation/not-a-number")
        assert bad.status_code == 400
        assert bad.headers["content-type"].startswith("text/html")
        assert "This address is not valid" in bad.text and "version" in bad.text
    finally:
        await client.aclose()
