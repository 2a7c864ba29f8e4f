"""The evidence keyed by agency, practitioner and item event id, not agency and item id.

An item's event id is a random uuid: under a key of (agency, event id) every evidence
row a rebuild writes went to a random place of the key's index, the largest single cost
of the evidence INSERT in PostgreSQL. Its practitioner first, a practitioner's rows sit
together in the key, so writes that come practitioner by practitioner (the log's
evidence streams, a rebuild's replay) stay on a few hot pages. An item is about one
practitioner (`EvidenceSet` refuses another's), so the key keeps what it kept: one row
per item, the first under its event id standing. A lookup of an item names its
practitioner (`evidence_rows.has_evidence`, `known_or_retracted`, a retraction's
delete), each read through the new key.

The index is built once on a populated table (a sort of its rows); rows are kept.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from typing import Final

from shared.schema.scripts import run_script

revision = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None

OWN: Final[tuple[str, ...]] = (
    "ALTER TABLE evidence DROP CONSTRAINT evidence_pkey,"
    " ADD CONSTRAINT evidence_pkey PRIMARY KEY (agency_id, practitioner_id, event_id)",
)


def upgrade() -> None:
    run_script(OWN)


def downgrade() -> None:
    # fails if an item event id was since stored under two practitioners of an agency
    run_script(
        (
            "ALTER TABLE evidence DROP CONSTRAINT evidence_pkey,"
            " ADD CONSTRAINT evidence_pkey PRIMARY KEY (agency_id, event_id)",
        )
    )
