"""The services that make up MiiWrap, and the port `make run` serves each on."""

from __future__ import annotations

SERVICE_PORTS = {"learning": 8001, "coaching": 8002, "fidelity": 8003, "certification": 8004}
SERVICES = tuple(SERVICE_PORTS)
