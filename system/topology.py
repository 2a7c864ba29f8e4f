"""The services that make up MiiWrap, and the port `make run` serves each on."""

from __future__ import annotations

SERVICE_PORTS = {"learning": 8001, "coaching": 8002, "fidelity": 8003, "certification": 8004}
SERVICES = tuple(SERVICE_PORTS)

# the durable consumers each service owns on another service's stream:
# reader → [(upstream service, consumer label, filter subject below the subject root)]
CONSUMERS: dict[str, list[tuple[str, str, str]]] = {
    "certification": [
        (upstream, upstream, f"{upstream}.>") for upstream in ("learning", "coaching", "fidelity")
    ],
    "coaching": [("certification", "roster", "certification.*.practitioner_registered")],
}
