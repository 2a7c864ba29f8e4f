"""The Kubernetes bundle's checks (make lint) pass the shipped bundle and catch what an
ops review would: a missing hardening field, a password in a URL, a typo in a schema'd
field, an unknown chart key."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from tests.deploy import validate_k8s
from tests.deploy.k8s_policy import bundle_problems, nats_values_problems, unknown_chart_keys


@cache
def shipped() -> tuple[tuple[Path, dict[str, Any]], ...]:
    return tuple(validate_k8s.documents())


def bundle() -> list[dict[str, Any]]:
    return [copy.deepcopy(doc) for _, doc in shipped()]


def the(docs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    return next(d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name)


def nats_values() -> Any:
    return yaml.safe_load((validate_k8s.BUNDLE / "nats" / "values.yaml").read_text())


def chart_defaults() -> Any:
    return yaml.safe_load((validate_k8s.SCHEMAS / "nats-chart-values.yaml").read_text())


def test_the_shipped_bundle_and_nats_values_meet_every_rule() -> None:
    assert bundle_problems(bundle()) == []
    assert nats_values_problems(nats_values()) == []
    assert unknown_chart_keys(nats_values(), chart_defaults()) == []


def test_a_container_keeping_its_capabilities_is_refused_as_not_restricted() -> None:
    docs = bundle()
    pod = the(docs, "Deployment", "miiwrap-fidelity")["spec"]["template"]["spec"]
    pod["containers"][0]["securityContext"] = {"allowPrivilegeEscalation": False}
    problems = bundle_problems(docs)
    assert any("fidelity container fidelity: capabilities.drop" in p for p in problems)
    assert any("fidelity container fidelity: readOnlyRootFilesystem" in p for p in problems)


def test_a_database_password_inside_the_url_is_refused() -> None:
    docs = bundle()
    env = the(docs, "Deployment", "miiwrap-learning")["spec"]["template"]["spec"]
    for variable in env["containers"][0]["env"]:
        if variable["name"] == "LEARNING_DATABASE_URL":
            variable["value"] = "postgresql://learning:pw@db/miiwrap"
    assert any("must not hold a password" in p for p in bundle_problems(docs))


def test_a_deployment_without_a_disruption_budget_or_migration_is_named() -> None:
    docs = [d for d in bundle() if d["kind"] != "PodDisruptionBudget"]
    the(docs, "Deployment", "miiwrap-coaching")["spec"]["template"]["spec"]["initContainers"] = []
    problems = bundle_problems(docs)
    assert "Deployment/miiwrap-coaching: no PodDisruptionBudget selects it" in problems
    assert any("coaching: needs an init container running miiwrap migrate" in p for p in problems)


def test_a_typo_in_a_deployment_or_the_postgres_cluster_fails_its_schema() -> None:
    cluster_schema = validate_k8s.closed(
        json.loads((validate_k8s.SCHEMAS / "cnpg-cluster-v1.schema.json").read_text())
    )
    path, deployment = next((p, d) for p, d in shipped() if d["kind"] == "Deployment")
    broken = copy.deepcopy(deployment)
    broken["spec"]["template"]["spec"]["containers"][0]["livenesProbe"] = {}
    assert validate_k8s.schema_problems(path, broken, cluster_schema)
    path, cluster = next((p, d) for p, d in shipped() if d["kind"] == "Cluster")
    broken = copy.deepcopy(cluster)
    broken["spec"]["storage"]["sise"] = "1Gi"
    [problem] = validate_k8s.schema_problems(path, broken, cluster_schema)
    assert "'sise' was unexpected" in problem


def test_an_unknown_or_mistyped_nats_chart_key_is_reported() -> None:
    values = nats_values()
    values["config"]["jetstream"]["fileStor"] = {"enabled": True}
    values["config"]["cluster"]["replicas"] = "3"
    problems = unknown_chart_keys(values, chart_defaults())
    assert "NATS values: config.jetstream.fileStor is not a key of the chart" in problems
    assert "NATS values: config.cluster.replicas should be a int like the chart's" in problems
    assert nats_values_problems(values)


def test_a_service_targeting_a_port_the_pods_do_not_name_is_reported() -> None:
    docs = bundle()
    the(docs, "Service", "miiwrap-learning")["spec"]["ports"][0]["targetPort"] = "web"
    problems = bundle_problems(docs)
    assert "Service/miiwrap-learning: targetPort web is not a port the pods name" in problems
