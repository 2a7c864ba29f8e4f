"""A rebuild projects the agency's evidence from its log in one statement
(`projector.project_logged_evidence`); when no item id repeats in the log it writes the
rows as the log is read, without sorting a page of rows that carry their items."""

from __future__ import annotations

import json
from typing import Any

from services.certification.adapters.projector import logged_evidence_statement
from tests.certification.certification_client import CertificationApi


def _nodes(plan: dict[str, Any]) -> list[str]:
    return [plan["Node Type"], *(node for child in plan.get("Plans", []) for node in _nodes(child))]


async def test_evidence_of_a_log_without_repeated_items_is_written_as_read_not_sorted(
    certification: CertificationApi,
) -> None:
    async with certification.rolled_back() as conn:
        await conn.execute("SET LOCAL enable_seqscan = off")  # as on a large log: by index
        plan = await conn.fetchval(
            "EXPLAIN (FORMAT JSON) " + logged_evidence_statement(unique=True),
            certification.agency_id,
            0,
            None,
        )
    nodes = _nodes((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"])

    assert "ModifyTable" in nodes
    assert "Sort" not in nodes
