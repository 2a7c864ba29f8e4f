"""What `POST /imports` takes in fidelity: observations, live-scored or from paper."""

from __future__ import annotations

from services.fidelity.handlers.observation_batch import record_observations
from services.fidelity.handlers.observations import record_observation
from services.fidelity.handlers.paper_observations import record_paper_observation
from services.fidelity.models.observation_values import (
    ObservationValues,
    observation_values,
    observation_values_json,
)
from services.fidelity.models.observations import ObservationCreate
from services.fidelity.models.paper_observations import PaperObservationCreate
from shared.auth import Principal
from shared.import_routes import with_imports
from shared.imports import ImportKind, ParsedLine, import_kinds
from shared.service import Runtime, ServiceDefinition


async def store_observation(
    runtime: Runtime, principal: Principal, body: ObservationCreate
) -> bool:
    _, created = await record_observation(runtime, principal, body)
    return created


async def store_paper_observation(
    runtime: Runtime, principal: Principal, body: PaperObservationCreate
) -> bool:
    _, created = await record_paper_observation(runtime, principal, body)
    return created


def read_observation(line: ParsedLine) -> ObservationValues:
    """A line for the batch: its stored text (the model ignores its `kind`), or, in a dry
    run, the fields the upload parsed."""
    if line.stored is not None:
        return observation_values_json(line.stored)
    return observation_values(dict(line.fields))


IMPORT_KINDS = import_kinds(
    ImportKind(
        "observation",
        ObservationCreate,
        store_observation,
        store_many=record_observations,
        read_many=read_observation,
    ),
    ImportKind("paper_observation", PaperObservationCreate, store_paper_observation),
)


def added_to(definition: ServiceDefinition) -> ServiceDefinition:
    """The service with `POST /imports` of these kinds (routes, tables, worker)."""
    return with_imports(definition, IMPORT_KINDS)
