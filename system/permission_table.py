"""The role × action table of all four services, as Markdown, from their live matrices.

`python -m system.permission_table` prints it; the README carries it between markers,
and a test fails when the README no longer matches the code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from fastapi import FastAPI

from shared.auth import Role

ROLES = list(Role)  # `service`: another MiiWrap service calling on the system's behalf
BEGIN = "<!-- permission-table:begin -->"
END = "<!-- permission-table:end -->"


def service_matrices() -> dict[str, Mapping[str, frozenset[Role]]]:
    from services.certification.bootstrap import create_service_app as certification
    from services.coaching.bootstrap import create_service_app as coaching
    from services.fidelity.bootstrap import create_service_app as fidelity
    from services.learning.bootstrap import create_service_app as learning

    factories: dict[str, Callable[[], FastAPI]] = {
        "learning": learning,
        "coaching": coaching,
        "fidelity": fidelity,
        "certification": certification,
    }
    return {name: factory().state.permissions for name, factory in factories.items()}


def render(matrices: Mapping[str, Mapping[str, frozenset[Role]]]) -> str:
    header = "| service | action | " + " | ".join(r.value for r in ROLES) + " |"
    rule = "|---|---|" + "|".join(":-:" for _ in ROLES) + "|"
    rows = [
        f"| {service} | `{action}` | "
        + " | ".join("✓" if role in roles else "" for role in ROLES)
        + " |"
        for service, matrix in matrices.items()
        for action, roles in sorted(matrix.items())
    ]
    return "\n".join([BEGIN, header, rule, *rows, END])


if __name__ == "__main__":
    print(render(service_matrices()))
