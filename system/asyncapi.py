"""The AsyncAPI 3.0 document of every event the four services publish on NATS.

Generated from the services' event registries (the pydantic payload schemas) and their
definitions (internal events stay out): one channel per event, addressed
`miiwrap.<service>.{agency}.<event>.{subject}`, whose message is the CloudEvents 1.0 envelope with
that event's `data`. `python -m system.asyncapi > docs/asyncapi.json`; a test fails when
the committed document no longer matches the code.
"""

from __future__ import annotations

import json
from typing import Any

from shared.envelope import event_source, event_type
from shared.events import DomainEvent, EventRegistry


def service_events() -> dict[str, tuple[EventRegistry, frozenset[str]]]:
    """Each service's registry and the names it keeps internal (never published)."""
    from services.certification.bootstrap import build_definition as certification
    from services.certification.config import CertificationSettings
    from services.certification.domain.events import registry as certification_events
    from services.coaching.bootstrap import build_definition as coaching
    from services.coaching.config import CoachingSettings
    from services.coaching.domain.events import registry as coaching_events
    from services.fidelity.bootstrap import build_definition as fidelity
    from services.fidelity.config import FidelitySettings
    from services.fidelity.domain.events import registry as fidelity_events
    from services.learning.bootstrap import build_definition as learning
    from services.learning.config import LearningSettings
    from services.learning.domain.events import registry as learning_events

    return {
        "learning": (learning_events, learning(LearningSettings()).internal_events),
        "coaching": (coaching_events, coaching(CoachingSettings()).internal_events),
        "fidelity": (fidelity_events, fidelity(FidelitySettings()).internal_events),
        "certification": (
            certification_events,
            certification(CertificationSettings()).internal_events,
        ),
    }


def envelope_schema(service: str, event: type[DomainEvent], data_ref: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["id", "source", "specversion", "type", "time", "agencyid", "data"],
        "properties": {
            "id": {"type": "string", "format": "uuid", "description": "event id = Nats-Msg-Id"},
            "source": {"const": event_source(service)},
            "specversion": {"const": "1.0"},
            "type": {"const": event_type(service, event.name, event.version)},
            "subject": {"type": "string", "description": "the practitioner (or observer)"},
            "time": {"type": "string", "format": "date-time", "description": "practice time"},
            "datacontenttype": {"const": "application/json"},
            "agencyid": {"type": "string", "description": "the tenant"},
            "actor": {"type": "string", "description": "<agency>/<principal> who caused it"},
            "traceparent": {"type": "string"},
            "recordedtime": {"type": "string", "format": "date-time"},
            "data": {"$ref": data_ref},
        },
    }


def build_document() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for service, (registry, internal) in service_events().items():
        for event in registry.classes():
            if event.name in internal:
                continue
            key = f"{service}.{event.name}"
            schema = event.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas.update(schema.pop("$defs", {}))
            schemas[f"{key}.data"] = schema
            messages[key] = {
                "name": event.name,
                "title": event.__name__,
                "summary": (event.__doc__ or "").strip().splitlines()[0]
                if event.__doc__
                else event.__name__,
                "contentType": "application/cloudevents+json",
                "headers": {
                    "type": "object",
                    "properties": {"Nats-Msg-Id": {"type": "string", "format": "uuid"}},
                },
                "payload": envelope_schema(service, event, f"#/components/schemas/{key}.data"),
            }
            channels[key] = {
                "address": f"miiwrap.{service}.{{agency}}.{event.name}.{{subject}}",
                "parameters": {
                    "agency": {"description": "the agency (tenant) id"},
                    "subject": {
                        "description": "the event's subject (the practitioner, or the "
                        "observer, coach … it is about; `_` for none), escaped as one "
                        "token; JetStream stores it with one more token, the partition"
                    },
                },
                "messages": {event.name: {"$ref": f"#/components/messages/{key}"}},
                "bindings": {"nats": {"bindingVersion": "0.1.0"}},
            }
            operations[f"receive.{key}"] = {
                "action": "receive",
                "channel": {"$ref": f"#/channels/{key}"},
                "summary": f"stream MIIWRAP_{service.upper()}",
            }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "MiiWrap Infrastructure events",
            "version": "0.1.0",
            "description": "CloudEvents 1.0 (JSON structured mode) published by the four "
            "services through their transactional outboxes to NATS JetStream.",
        },
        "defaultContentType": "application/cloudevents+json",
        "servers": {
            "local": {"host": "127.0.0.1:4222", "protocol": "nats", "description": "make run"}
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def render() -> str:
    return json.dumps(build_document(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    print(render(), end="")
