"""Each baseline revision runs exactly the DDL the previous release (c65b817) ran at
start-up, in its order: the frozen fixture and the revisions cannot drift apart."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pytest

from shared.schema.baseline import KERNEL

PREVIOUS_RELEASE: dict[str, list[str]] = json.loads(
    Path(__file__).with_name("previous_release_schema.json").read_text()
)


def normalized(statements: list[str] | tuple[str, ...]) -> list[str]:
    return [re.sub(r"\s+", " ", statement).strip() for statement in statements]


@pytest.mark.parametrize("service", ["learning", "coaching", "fidelity", "certification"])
def test_a_service_baseline_is_the_previous_release_ddl_in_its_order(service: str) -> None:
    baseline = importlib.import_module(f"services.{service}.adapters.migrations.v0001_baseline")

    assert normalized(baseline.STATEMENTS) == normalized(
        [*PREVIOUS_RELEASE["kernel"], *PREVIOUS_RELEASE[service]]
    )


def test_the_kernel_baseline_is_the_previous_release_kernel_ddl() -> None:
    assert normalized(KERNEL) == normalized(PREVIOUS_RELEASE["kernel"])
