"""A service's declared schema: its table models and the Alembic revisions that build it.

The SQLModel models are the declaration (what the schema must be); the revisions are how
a database gets there from any earlier release. Queries stay asyncpg SQL: the models
are never used to read or write rows. A test migrates every service's schema and checks
Alembic finds no difference between the two (docs/migrations.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import sqlalchemy
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.script.revision import ResolutionError
from sqlalchemy import MetaData, Table
from sqlmodel import SQLModel

# Alembic's environment (env.py) and the template new revisions are written from
ENVIRONMENT = Path(__file__).with_name("environment")

Declared = type[SQLModel] | Table


def table_of(declared: Declared) -> Table:
    """The table a model maps to (or the table itself, for one without a primary key)."""
    if isinstance(declared, Table):
        return declared
    table = sqlalchemy.inspect(declared).local_table
    if not isinstance(table, Table):
        raise TypeError(f"{declared.__name__} does not map to a table")
    return table


@dataclass(frozen=True, eq=False)
class ServiceSchema:
    """What `miiwrap migrate <service>` and the service's start-up bring a schema to."""

    service: str
    declared: Sequence[Declared]
    versions: Path  # the folder of the service's revision files

    @cached_property
    def metadata(self) -> MetaData:
        """The service's tables alone (several services declare tables of the same name)."""
        metadata = MetaData()
        for declared in self.declared:
            table_of(declared).to_metadata(metadata)
        return metadata

    def config(self) -> Config:
        """An Alembic configuration in code: no alembic.ini to keep beside each service."""
        config = Config()
        config.set_main_option("script_location", str(ENVIRONMENT))
        config.set_main_option("version_locations", str(self.versions))
        config.set_main_option("path_separator", "os")
        config.set_main_option("file_template", "v%%(rev)s_%%(slug)s")
        config.attributes["schema"] = self
        return config

    @cached_property
    def script(self) -> ScriptDirectory:
        return ScriptDirectory.from_config(self.config())

    def knows(self, revision: str) -> bool:
        """Whether `revision` is one of this release's (not a newer release's)."""
        try:
            return self.script.revision_map.get_revision(revision) is not None
        except ResolutionError:
            return False

    @cached_property
    def head(self) -> str:
        """The newest revision; a fork in the history is a mistake caught here."""
        heads = self.script.get_heads()
        if len(heads) != 1:
            raise RuntimeError(
                f"the {self.service} revisions have {len(heads)} heads {heads}: "
                "give the newer revision the other as down_revision"
            )
        return heads[0]
