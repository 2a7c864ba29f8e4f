"""Fixtures for the learning domain's unit tests (builders live in learning_builders)."""

from __future__ import annotations

import pytest

from services.learning.domain.catalog import Catalog
from services.learning.domain.seed_catalog import SEED_CATALOG


@pytest.fixture
def catalog() -> Catalog:
    return SEED_CATALOG
