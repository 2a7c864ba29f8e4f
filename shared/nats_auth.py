"""NATS server authorization: a user per service, and a user per agency app.

Services may publish only their own subjects (`miiwrap.<service>.>`) and use the
JetStream API. An agency app may read only `miiwrap.certification.<its agency>.>`: live
(core subscription) or durably through a pull consumer that must be named after the
agency and filtered to its subjects — JetStream's create subject carries the consumer
name and the filter, so the permission pins both. Its inbox prefix is its own
(`_INBOX_<agency>`), so it cannot read other clients' replies.

The users of the whole system, rendered as one server configuration, are
`system.nats_config`'s.
"""

from __future__ import annotations

from collections.abc import Iterable


def agency_inbox_prefix(agency_id: str) -> str:
    return f"_INBOX_{agency_id}"


def service_user(service: str, password: str, subject_root: str = "miiwrap") -> dict[str, object]:
    return {
        "user": service,
        "password": password,
        "permissions": {
            "publish": {"allow": [f"{subject_root}.{service}.>", "$JS.API.>", "$JS.ACK.>"]},
            "subscribe": {"allow": ["_INBOX.>"]},
        },
    }


def agency_app_user(
    agency_id: str, password: str, subject_root: str = "miiwrap"
) -> dict[str, object]:
    stream = f"{subject_root}_certification".upper()
    subjects = f"{subject_root}.certification.{agency_id}.>"
    return {
        "user": f"app-{agency_id}",
        "password": password,
        "permissions": {
            "publish": {
                "allow": [
                    f"$JS.API.CONSUMER.CREATE.{stream}.{agency_id}.{subjects}",
                    f"$JS.API.CONSUMER.INFO.{stream}.{agency_id}",
                    f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{agency_id}",
                    f"$JS.ACK.{stream}.{agency_id}.>",
                ]
            },
            "subscribe": {"allow": [subjects, f"{agency_inbox_prefix(agency_id)}.>"]},
        },
    }


def env_placeholders(names: Iterable[str]) -> dict[str, str]:
    """`$NAME_NATS_PASSWORD` references, resolved by nats-server from the environment."""
    return {n: f"${n.upper().replace('-', '_')}_NATS_PASSWORD" for n in names}
