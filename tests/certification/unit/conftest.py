"""Fixtures for the certification fold: the default policy and a certified history."""

from __future__ import annotations

import pytest

from services.certification.domain.policy import Policy
from services.certification.domain.seed_policies import DEFAULT_POLICY
from tests.certification.unit.certification_builders import PractitionerHistory


@pytest.fixture
def policy() -> Policy:
    return DEFAULT_POLICY


@pytest.fixture
def history() -> PractitionerHistory:
    """A fresh history that earns Facilitator on GRANT_DAY; tests alter it freely."""
    return PractitionerHistory.certified_facilitator()
