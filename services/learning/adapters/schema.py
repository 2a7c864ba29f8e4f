"""The learning schema: catalog versions, the projections of its events, the LRS tables.

The models (adapters/tables.py, with the kernel's) declare the tables; the revisions in
adapters/migrations/ build them, at start-up and from `miiwrap migrate learning`. A change
to a table is a model change plus a new revision (docs/migrations.md).
"""

from __future__ import annotations

from pathlib import Path

from services.learning.adapters.tables import MODELS
from services.learning.xapi.tables import MODELS as XAPI_MODELS
from shared.schema.import_tables import MODELS as IMPORT_MODELS
from shared.schema.kernel_tables import MODELS as KERNEL_MODELS
from shared.schema.roster_copy_tables import MODELS as ROSTER_COPY_MODELS
from shared.schema.service_schema import ServiceSchema

SCHEMA = ServiceSchema(
    service="learning",
    declared=(*KERNEL_MODELS, *MODELS, *XAPI_MODELS, *ROSTER_COPY_MODELS, *IMPORT_MODELS),
    versions=Path(__file__).with_name("migrations"),
)
