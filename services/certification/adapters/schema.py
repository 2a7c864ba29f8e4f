"""The certification schema: the roster, evidence, policies, statuses and agencies.

The models (adapters/tables.py, with the kernel's) declare the tables; the revisions in
adapters/migrations/ build them, at start-up and from `miiwrap migrate certification`.
A change to a table is a model change plus a new revision (docs/migrations.md).
"""

from __future__ import annotations

from pathlib import Path

from services.certification.adapters.tables import MODELS
from shared.schema.import_tables import MODELS as IMPORT_MODELS
from shared.schema.kernel_tables import MODELS as KERNEL_MODELS
from shared.schema.service_schema import ServiceSchema

SCHEMA = ServiceSchema(
    service="certification",
    declared=(*KERNEL_MODELS, *MODELS, *IMPORT_MODELS),
    versions=Path(__file__).with_name("migrations"),
)

# Dropped (for one agency) and replayed by a rebuild, in this order.
PROJECTION_TABLES = (
    "import_window_practitioners",
    "import_windows",
    "level_statuses",
    "evaluations",
    "transitions",
    "evidence",
    "evidence_retractions",
    "observer_calibrations",
    "policy_adoptions",
    "policy_versions",
    "roster_changes",
    "practitioners",
)
