"""How many rows an analysis of a rebuilt or bulk-loaded agency samples."""

from __future__ import annotations

from services.certification.adapters.planner_statistics import (
    AGENCY_ROWS_SAMPLED,
    LEAST_TARGET,
    sample_target,
)

CONFIGURED = 100  # PostgreSQL's default_statistics_target


def test_an_agency_holding_a_tenth_of_the_table_is_counted_from_the_smallest_sample() -> None:
    # 300 rows per unit of target: 3,000 rows meet about 300 of the agency's
    assert sample_target(1_000_000, 100_000, CONFIGURED) == LEAST_TARGET
    assert sample_target(100_000, 100_000, CONFIGURED) == LEAST_TARGET


def test_a_smaller_share_of_the_table_is_sampled_with_more_rows() -> None:
    target = sample_target(1_000_000, 20_000, CONFIGURED)
    assert target == 50
    # the sample meets about as many of the agency's rows as wanted
    assert 300 * target * 20_000 / 1_000_000 >= AGENCY_ROWS_SAMPLED


def test_the_sample_never_exceeds_the_configured_one() -> None:
    assert sample_target(10_000_000, 1_000, CONFIGURED) == CONFIGURED
    assert sample_target(10_000_000, 1_000, 40) == 40


def test_an_empty_or_unknown_table_takes_the_smallest_sample() -> None:
    assert sample_target(0, 0, CONFIGURED) == LEAST_TARGET
    assert sample_target(0, 600, CONFIGURED) == LEAST_TARGET
