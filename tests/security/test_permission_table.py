"""The README's role × action table is the code's matrix, not a copy that drifts."""

from __future__ import annotations

from pathlib import Path

from system.permission_table import render, service_matrices


def test_the_readme_documents_every_services_permission_matrix_exactly() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    expected = render(service_matrices())
    assert expected in readme, (
        "README.md's permission table is out of date: "
        "run `python -m system.permission_table` and paste it between the markers"
    )
