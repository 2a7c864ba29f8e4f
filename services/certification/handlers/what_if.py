"""What-if: a draft policy evaluated over the agency's current evidence, before adoption."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.certification.adapters import evidence_rows, policy_rows
from services.certification.domain.comparison import CHANGES, Change, compare_levels
from services.certification.domain.evaluate import evaluate
from services.certification.domain.evidence import EvidenceSet
from services.certification.domain.policy import Policy
from shared.database import Connection
from shared.service import Runtime


@dataclass(frozen=True)
class PractitionerOutcome:
    practitioner_id: str
    changes: dict[str, Change]
    current: dict[str, str]
    draft: dict[str, str]


@dataclass(frozen=True)
class WhatIf:
    current_policy: Policy
    draft_policy: Policy
    as_of: date
    summary: dict[str, dict[Change, int]]
    outcomes: list[PractitionerOutcome]


async def evaluate_draft(runtime: Runtime, agency_id: str, draft: Policy, as_of: date) -> WhatIf:
    """Who would gain, keep or lose a level under ``draft`` (nothing is written)."""
    async with runtime.pool.acquire() as conn:
        return await _evaluate_in(conn, agency_id, draft, as_of)


async def _evaluate_in(conn: Connection, agency_id: str, draft: Policy, as_of: date) -> WhatIf:
    current_policy = await policy_rows.adopted_policy(conn, agency_id)
    evidence = await evidence_rows.agency_evidence(conn, agency_id)
    outcomes: list[PractitionerOutcome] = []
    for practitioner_id in await evidence_rows.registered_ids(conn, agency_id):
        items = evidence.get(practitioner_id, EvidenceSet(practitioner_id))
        now = evaluate(current_policy, items, as_of)
        then = evaluate(draft, items, as_of)
        outcomes.append(
            PractitionerOutcome(
                practitioner_id=practitioner_id,
                changes=compare_levels(now, then),
                current={level.level_key: level.status.value for level in now.levels},
                draft={level.level_key: level.status.value for level in then.levels},
            )
        )
    keys = list(
        dict.fromkeys([*(lv.key for lv in current_policy.levels), *(lv.key for lv in draft.levels)])
    )
    summary: dict[str, dict[Change, int]] = {key: dict.fromkeys(CHANGES, 0) for key in keys}
    for outcome in outcomes:
        for key, change in outcome.changes.items():
            summary[key][change] += 1
    return WhatIf(current_policy, draft, as_of, summary, outcomes)
