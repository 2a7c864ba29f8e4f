"""What the Kubernetes bundle must hold beyond its schemas: Pod Security "restricted",
probes, resources, disruption budgets, spread, network policies, migrations, R3 NATS.

Pure functions over the parsed documents; each returns the problems it finds as
sentences naming the resource, so `make lint` can say what to fix.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

Doc = Mapping[str, Any]
SERVICES = ("learning", "coaching", "fidelity", "certification")


def name_of(doc: Doc) -> str:
    return f"{doc.get('kind')}/{doc.get('metadata', {}).get('name')}"


def labels_match(selector: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """A label selector (matchLabels and In/NotIn/Exists) against a pod's labels."""
    for key, value in selector.get("matchLabels", {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions", []):
        key, operator = expression["key"], expression["operator"]
        values = expression.get("values", [])
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and labels.get(key) in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True


def restricted_pod_problems(owner: str, pod: Mapping[str, Any]) -> list[str]:
    """Pod Security Standard "restricted" (the fields it checks that we set)."""
    problems = []
    pod_security = pod.get("securityContext", {})
    if pod_security.get("runAsNonRoot") is not True:
        problems.append(f"{owner}: pod securityContext.runAsNonRoot must be true")
    if pod_security.get("seccompProfile", {}).get("type") != "RuntimeDefault":
        problems.append(f"{owner}: pod seccompProfile must be RuntimeDefault")
    for volume in pod.get("volumes", []):
        if "hostPath" in volume:
            problems.append(f"{owner}: hostPath volume {volume['name']} is not allowed")
    for container in [*pod.get("initContainers", []), *pod.get("containers", [])]:
        where = f"{owner} container {container['name']}"
        security = container.get("securityContext", {})
        if security.get("allowPrivilegeEscalation") is not False:
            problems.append(f"{where}: allowPrivilegeEscalation must be false")
        if security.get("capabilities", {}).get("drop") != ["ALL"]:
            problems.append(f"{where}: capabilities.drop must be [ALL]")
        if security.get("capabilities", {}).get("add"):
            problems.append(f"{where}: must not add capabilities")
        if security.get("readOnlyRootFilesystem") is not True:
            problems.append(f"{where}: readOnlyRootFilesystem must be true")
        if security.get("privileged") or security.get("runAsUser") == 0:
            problems.append(f"{where}: must not run privileged or as root")
        resources = container.get("resources", {})
        if not resources.get("requests") or not resources.get("limits", {}).get("memory"):
            problems.append(f"{where}: needs resource requests and a memory limit")
    return problems


def service_deployment_problems(doc: Doc) -> list[str]:
    """A service Deployment: replicas, probes, preStop, spread, migrations, R3 streams."""
    owner = name_of(doc)
    spec = doc["spec"]
    pod = spec["template"]["spec"]
    problems = restricted_pod_problems(owner, pod)
    if spec.get("replicas", 1) < 2:
        problems.append(f"{owner}: needs at least 2 replicas")
    if not pod.get("topologySpreadConstraints"):
        problems.append(f"{owner}: needs topologySpreadConstraints")
    service = doc["metadata"]["name"].removeprefix("miiwrap-")
    main = pod["containers"][0]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        if probe not in main:
            problems.append(f"{owner}: container {main['name']} needs a {probe}")
    if main.get("readinessProbe", {}).get("httpGet", {}).get("path") != "/readyz":
        problems.append(f"{owner}: readiness must be /readyz")
    if "preStop" not in main.get("lifecycle", {}):
        problems.append(f"{owner}: needs a preStop hook (drain before SIGTERM)")
    migrate = ["miiwrap", "migrate", service]
    if not any(c.get("command") == migrate for c in pod.get("initContainers", [])):
        problems.append(f"{owner}: needs an init container running {' '.join(migrate)}")
    env = {e["name"]: e for e in main.get("env", [])}
    prefix = service.upper()
    if env.get(f"{prefix}_STREAM_REPLICAS", {}).get("value") != "3":
        problems.append(f"{owner}: {prefix}_STREAM_REPLICAS must be 3 (R3 streams)")
    for secret in ("DATABASE_PASSWORD", "NATS_PASSWORD", "JWT_SECRET"):
        if "secretKeyRef" not in env.get(f"{prefix}_{secret}", {}).get("valueFrom", {}):
            problems.append(f"{owner}: {prefix}_{secret} must come from a Secret")
    if urlsplit(env.get(f"{prefix}_DATABASE_URL", {}).get("value", "")).password:
        problems.append(f"{owner}: the database URL must not hold a password")
    return problems


def bundle_problems(docs: Iterable[Doc]) -> list[str]:
    """Every rule over the whole bundle: each service's resources, and who covers whom."""
    docs = list(docs)
    deployments = [d for d in docs if d.get("kind") == "Deployment"]
    budgets = [d for d in docs if d.get("kind") == "PodDisruptionBudget"]
    policies = [d for d in docs if d.get("kind") == "NetworkPolicy"]
    problems = []
    if not any(d.get("kind") == "Namespace" for d in docs):
        problems.append("the bundle needs its Namespace")
    names = {d["metadata"]["name"] for d in deployments}
    for service in SERVICES:
        if f"miiwrap-{service}" not in names:
            problems.append(f"no Deployment for the {service} service")
    for deployment in deployments:
        problems += service_deployment_problems(deployment)
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        if not any(labels_match(b["spec"]["selector"], labels) for b in budgets):
            problems.append(f"{name_of(deployment)}: no PodDisruptionBudget selects it")
        if not any(labels_match(p["spec"]["podSelector"], labels) for p in policies):
            problems.append(f"{name_of(deployment)}: no NetworkPolicy selects it")
    for service in (d for d in docs if d.get("kind") == "Service"):
        problems += service_target_problems(service, deployments)
    clusters = [d for d in docs if d.get("kind") == "Cluster"]
    if len(clusters) != 1 or clusters[0]["spec"].get("instances", 1) < 3:
        problems.append("PostgreSQL: one CloudNativePG Cluster with 3 instances")
    return problems


def service_target_problems(service: Doc, deployments: list[Doc]) -> list[str]:
    """A Service selects a Deployment's pods and targets a port they name."""
    selector = {"matchLabels": service["spec"].get("selector", {})}
    targets = [
        d
        for d in deployments
        if labels_match(selector, d["spec"]["template"]["metadata"]["labels"])
    ]
    if not targets:
        return [f"{name_of(service)}: selects no Deployment's pods"]
    named = {
        port.get("name")
        for target in targets
        for container in target["spec"]["template"]["spec"]["containers"]
        for port in container.get("ports", [])
    }
    return [
        f"{name_of(service)}: targetPort {port['targetPort']} is not a port the pods name"
        for port in service["spec"]["ports"]
        if isinstance(port.get("targetPort"), str) and port["targetPort"] not in named
    ]


def nats_values_problems(values: Mapping[str, Any]) -> list[str]:
    """The NATS chart values: a 3-node JetStream cluster on persistent storage."""
    config = values.get("config", {})
    problems = []
    if not config.get("cluster", {}).get("enabled") or config["cluster"].get("replicas") != 3:
        problems.append("NATS values: config.cluster must be enabled with 3 replicas")
    jetstream = config.get("jetstream", {})
    if not jetstream.get("enabled") or not jetstream.get("fileStore", {}).get("pvc", {}).get(
        "enabled", True
    ):
        problems.append("NATS values: JetStream must be enabled on a file store with a PVC")
    if "00$include" not in config.get("merge", {}):
        problems.append("NATS values: config.merge must include auth.conf (the users)")
    return problems


def unknown_chart_keys(values: Any, defaults: Any, path: str = "") -> list[str]:
    """Keys the chart does not have (a typo the chart would silently ignore) and types
    that differ from its defaults. An empty map in the defaults is free-form."""
    if not isinstance(values, dict) or not isinstance(defaults, dict) or not defaults:
        return []
    problems = []
    for key, value in values.items():
        where = f"{path}.{key}" if path else key
        if key not in defaults:
            problems.append(f"NATS values: {where} is not a key of the chart")
            continue
        default = defaults[key]
        if default is not None and value is not None and type(default) is not type(value):
            expected = type(default).__name__
            problems.append(f"NATS values: {where} should be a {expected} like the chart's")
            continue
        problems += unknown_chart_keys(value, default, where)
    return problems
