"""All catalog versions the service knows, and which one new enrollments follow.

A learner keeps the version they enrolled under, so publishing a new version never
changes what an existing learner's history means.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from services.learning.domain.catalog import Catalog
from services.learning.domain.errors import UnknownCatalogVersionError


@dataclass(frozen=True)
class CatalogBook:
    current_version: str
    _versions: dict[str, Catalog] = field(default_factory=dict)

    @classmethod
    def of(cls, catalogs: Iterable[Catalog], current_version: str) -> CatalogBook:
        book = cls(current_version, {c.version: c for c in catalogs})
        book.get(current_version)  # the current version must be one of them
        return book

    def get(self, version: str) -> Catalog:
        try:
            return self._versions[version]
        except KeyError:
            raise UnknownCatalogVersionError(version, sorted(self._versions)) from None

    @property
    def current(self) -> Catalog:
        return self.get(self.current_version)

    @property
    def versions(self) -> list[str]:
        return sorted(self._versions)
