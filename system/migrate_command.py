"""`miiwrap migrate <service>` and `miiwrap schema-revision <service>`: a service's schema
brought to its newest revision, or a new revision written from its models.

Both read the service's own env vars (`<SERVICE>_DATABASE_URL`, `<SERVICE>_DB_SCHEMA`,
…), so a Kubernetes Job or an init container runs the same settings as the service.
"""

from __future__ import annotations

import asyncio
import importlib.util
import subprocess
import sys
from enum import StrEnum
from pathlib import Path

import typer
from pydantic import ValidationError

from services.certification.adapters.schema import SCHEMA as CERTIFICATION_SCHEMA
from services.certification.config import CertificationSettings
from services.coaching.adapters.schema import SCHEMA as COACHING_SCHEMA
from services.coaching.config import CoachingSettings
from services.fidelity.adapters.schema import SCHEMA as FIDELITY_SCHEMA
from services.fidelity.config import FidelitySettings
from services.learning.adapters.schema import SCHEMA as LEARNING_SCHEMA
from services.learning.config import LearningSettings
from shared.config import ServiceSettings, masked_url
from shared.database import create_pool, is_unavailable
from shared.schema.runner import Migrated, migrate, write_revision
from shared.schema.service_schema import ServiceSchema


class Service(StrEnum):
    learning = "learning"
    coaching = "coaching"
    fidelity = "fidelity"
    certification = "certification"


SERVICES: dict[Service, tuple[type[ServiceSettings], ServiceSchema]] = {
    Service.learning: (LearningSettings, LEARNING_SCHEMA),
    Service.coaching: (CoachingSettings, COACHING_SCHEMA),
    Service.fidelity: (FidelitySettings, FIDELITY_SCHEMA),
    Service.certification: (CertificationSettings, CERTIFICATION_SCHEMA),
}


def _settings(service: Service) -> tuple[ServiceSettings, ServiceSchema]:
    settings_class, schema = SERVICES[service]
    try:
        return settings_class(), schema
    except ValidationError as error:
        prefix = f"{service.value.upper()}_"
        typer.echo(f"{service.value}: invalid settings ({prefix}* env vars): {error}", err=True)
        raise typer.Exit(2) from error


async def _migrate(settings: ServiceSettings, schema: ServiceSchema) -> Migrated:
    pool = await create_pool(settings, min_size=1, max_size=1)
    try:
        return await migrate(settings, schema, pool)
    finally:
        await pool.close()


def migrate_service(service: Service) -> None:
    """Bring the service's schema to its newest revision; exit 1 with the reason if not."""
    settings, schema = _settings(service)
    where = f"schema {settings.db_schema!r} of {masked_url(settings.database_dsn)}"
    try:
        migrated = asyncio.run(_migrate(settings, schema))
    except Exception as error:
        reason = "database unreachable" if is_unavailable(error) else "migration failed"
        typer.echo(f"{service.value}: {reason} ({where}): {error!r}", err=True)
        raise typer.Exit(1) from error
    if migrated.before == migrated.after:
        typer.echo(f"{service.value}: {where} already at revision {migrated.after}")
    else:
        was = migrated.before or "no version table"
        typer.echo(f"{service.value}: {where} migrated to revision {migrated.after} (was {was})")


def write_service_revision(service: Service, message: str) -> Path:
    """A new revision of the service from what its models declare and its revisions lack."""
    settings, schema = _settings(service)
    written = asyncio.run(write_revision(settings, schema, message))
    if importlib.util.find_spec("ruff") is not None:  # a developer's venv: house style
        for step in (["check", "--fix", "--quiet"], ["format", "--quiet"]):
            subprocess.run([sys.executable, "-m", "ruff", *step, str(written)], check=False)
    return written
