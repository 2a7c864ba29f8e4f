"""NATS server authorization: a user per service, and a user per agency app.

A service user holds least privilege: it publishes its own subjects
(`miiwrap.<service>.>`), uses the JetStream API of its own stream (info, create) and of
the durable consumers it owns on other services' streams (info, create with its filter,
next message, ack), and reads replies only on its own inbox prefix (`_INBOX_<service>`),
so it cannot snoop another client's pulled messages or make a temporary consumer on a
stream it does not own. Of a stream it consumes it may also ask the info and create
it when missing (the producer may start later; an existing stream is never changed,
and creating it gives no access to its messages); update, delete, purge, direct message
reads and consumer listings are not granted.

An agency app may read only `miiwrap.certification.<its agency>.>`: live
(core subscription) or durably through a pull consumer that must be named after the
agency and filtered to its subjects — JetStream's create subject carries the consumer
name and the filter, so the permission pins both. Its inbox prefix is its own
(`_INBOX_<agency>`), so it cannot read other clients' replies.

The users of the whole system, rendered as one server configuration, are
`system.nats_config`'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


def agency_inbox_prefix(agency_id: str) -> str:
    return f"_INBOX_{agency_id}"


def service_inbox_prefix(service: str) -> str:
    return f"_INBOX_{service}"


def consumer_name(reader: str, schema: str, label: str) -> str:
    """The durable name of `reader`'s consumer `label` (the schema keeps deployments apart)."""
    return f"{reader}-{schema}-{label}"


@dataclass(frozen=True)
class OwnedConsumer:
    """A durable consumer a service owns on another service's stream."""

    stream: str
    durable: str
    filter_subject: str


def service_user(
    service: str,
    password: str,
    subject_root: str = "miiwrap",
    consumers: Sequence[OwnedConsumer] = (),
) -> dict[str, object]:
    own_stream = f"{subject_root}_{service}".upper()
    allowed = [
        f"{subject_root}.{service}.>",
        f"$JS.API.STREAM.INFO.{own_stream}",
        f"$JS.API.STREAM.CREATE.{own_stream}",
    ]
    for c in consumers:
        allowed += [
            f"$JS.API.STREAM.INFO.{c.stream}",
            f"$JS.API.STREAM.CREATE.{c.stream}",
            f"$JS.API.CONSUMER.INFO.{c.stream}.{c.durable}",
            f"$JS.API.CONSUMER.CREATE.{c.stream}.{c.durable}.{c.filter_subject}",
            f"$JS.API.CONSUMER.DURABLE.CREATE.{c.stream}.{c.durable}",
            f"$JS.API.CONSUMER.MSG.NEXT.{c.stream}.{c.durable}",
            f"$JS.ACK.{c.stream}.{c.durable}.>",
        ]
    return {
        "user": service,
        "password": password,
        "permissions": {
            "publish": {"allow": list(dict.fromkeys(allowed))},
            "subscribe": {"allow": [f"{service_inbox_prefix(service)}.>"]},
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
