"""The services that make up MiiWrap, and the port `make run` serves each on."""

from __future__ import annotations

from services.certification.domain.upstream import TAKEN_IN, upstream_filters
from shared.roster_copy import CONSUMER_LABEL, ROSTER_EVENTS

SERVICE_PORTS = {"learning": 8001, "coaching": 8002, "fidelity": 8003, "certification": 8004}
SERVICES = tuple(SERVICE_PORTS)

# The portal: people's pages over the four services' APIs (no stream, no tables).
PORTAL_PORT = 8000
PORTAL_URL = f"http://127.0.0.1:{PORTAL_PORT}"

# every copy of the roster reads certification's four roster events with one durable
ROSTER_COPY = [
    ("certification", CONSUMER_LABEL, f"certification.*.{event}.>") for event in ROSTER_EVENTS
]

# the durable consumers each service owns on another service's stream:
# reader → [(upstream service, consumer label, filter subject below the subject root)];
# a durable with several filter subjects is listed once per subject
CONSUMERS: dict[str, list[tuple[str, str, str]]] = {
    # certification reads only the upstream events it takes in (one durable per stream)
    "certification": [
        (upstream, upstream, subject)
        for upstream in TAKEN_IN
        for subject in upstream_filters(upstream)
    ],
    "coaching": ROSTER_COPY,
    "fidelity": ROSTER_COPY,
    "learning": ROSTER_COPY,
}
