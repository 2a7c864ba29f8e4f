"""The fidelity schema: the fidelity projections and the roster copy.

The models (adapters/tables.py, with the kernel's) declare the tables; the revisions in
adapters/migrations/ build them, at start-up and from `miiwrap migrate fidelity`. A change
to a table is a model change plus a new revision (docs/migrations.md).
"""

from __future__ import annotations

from pathlib import Path

from services.fidelity.adapters.tables import MODELS
from shared.schema.import_tables import MODELS as IMPORT_MODELS
from shared.schema.kernel_tables import MODELS as KERNEL_MODELS
from shared.schema.roster_copy_tables import MODELS as ROSTER_COPY_MODELS
from shared.schema.service_schema import ServiceSchema

SCHEMA = ServiceSchema(
    service="fidelity",
    declared=(*KERNEL_MODELS, *MODELS, *ROSTER_COPY_MODELS, *IMPORT_MODELS),
    versions=Path(__file__).with_name("migrations"),
)
