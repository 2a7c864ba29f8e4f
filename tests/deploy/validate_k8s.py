"""`make lint`: deploy/k8s checked offline against the schemas it is deployed with.

- core kinds (Namespace, Secret, Deployment, Service, PodDisruptionBudget,
  NetworkPolicy): the Kubernetes OpenAPI schemas bundled in kubernetes-validate, strict
  (an unknown field is an error), for the oldest supported and the newest version;
- the CloudNativePG `Cluster`: the v1 schema of its published CRD (schemas/), with
  unknown fields refused as the API server's pruning would drop them silently;
- the NATS chart values: the chart's published values.yaml (the chart ships no
  values.schema.json), so a key the chart does not have is an error;
- then the rules of k8s_policy (Pod Security "restricted", probes, budgets, …).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml

from tests.deploy.k8s_policy import bundle_problems, nats_values_problems, unknown_chart_keys

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "deploy" / "k8s"
SCHEMAS = Path(__file__).resolve().parent / "schemas"
# the oldest minor still supported upstream when written, and the newest the package knows
KUBERNETES_VERSIONS = ("1.32.0", kubernetes_validate.latest_version())


def documents() -> Iterator[tuple[Path, dict[str, Any]]]:
    for path in sorted(BUNDLE.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                yield path, doc


def closed(schema: Any) -> Any:
    """The schema with additionalProperties false wherever it lists properties and does
    not preserve unknown fields: what the API server keeps is what it knows."""
    if isinstance(schema, dict):
        schema = {k: closed(v) for k, v in schema.items()}
        if (
            "properties" in schema
            and "additionalProperties" not in schema
            and not schema.get("x-kubernetes-preserve-unknown-fields")
        ):
            schema["additionalProperties"] = False
        return schema
    if isinstance(schema, list):
        return [closed(item) for item in schema]
    return schema


def schema_problems(path: Path, doc: dict[str, Any], cluster_schema: Any) -> list[str]:
    where = f"{path.relative_to(ROOT)} {doc.get('kind')}/{doc.get('metadata', {}).get('name')}"
    if doc.get("apiVersion") == "postgresql.cnpg.io/v1":
        validator = jsonschema.Draft7Validator(cluster_schema)
        return [f"{where}: {e.json_path}: {e.message}" for e in validator.iter_errors(doc)]
    problems = []
    for version in KUBERNETES_VERSIONS:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            path = ".".join(map(str, error.path))
            problems.append(f"{where} (Kubernetes {version}): {path}: {error.message}")
    return problems


def main() -> int:
    started = time.monotonic()
    cluster_schema = closed(json.loads((SCHEMAS / "cnpg-cluster-v1.schema.json").read_text()))
    docs = list(documents())
    problems = [p for path, doc in docs for p in schema_problems(path, doc, cluster_schema)]
    problems += bundle_problems(doc for _, doc in docs)
    values = yaml.safe_load((BUNDLE / "nats" / "values.yaml").read_text())
    chart_defaults = yaml.safe_load((SCHEMAS / "nats-chart-values.yaml").read_text())
    problems += unknown_chart_keys(values, chart_defaults) + nats_values_problems(values)
    for problem in problems:
        print(f"deploy/k8s: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(
        f"deploy/k8s: {len(docs)} resources valid (Kubernetes {' and '.join(KUBERNETES_VERSIONS)} "
        "strict, "
        f"CloudNativePG Cluster v1 CRD, NATS chart values; Pod Security restricted) "
        f"in {time.monotonic() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
