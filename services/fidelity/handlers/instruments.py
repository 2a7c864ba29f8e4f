"""Use cases of instruments: seed the global versions, publish an agency's own version."""

from __future__ import annotations

from datetime import UTC, datetime

from services.fidelity.adapters.instrument_rows import (
    GLOBAL,
    StoredInstrument,
    find_instrument,
    find_latest_instrument,
    insert_instrument,
    list_instruments,
)
from services.fidelity.domain.events import InstrumentPublished
from services.fidelity.domain.instruments import Instrument
from services.fidelity.domain.seed_instruments import SEED_INSTRUMENTS
from services.fidelity.handlers.cursors import key_and_version, page_of
from services.fidelity.models.instruments import (
    InstrumentDefinition,
    InstrumentPublic,
    InstrumentSummary,
)
from shared.auth import Principal
from shared.database import Connection
from shared.events import PendingEvent
from shared.extras import RuntimeExtra
from shared.idempotency import create_once, fingerprint
from shared.naming import stream_id
from shared.pagination import Page, PageRequest
from shared.problems import Conflict, NotFound, Unprocessable
from shared.service import Runtime


async def seed_instruments(runtime: Runtime) -> None:
    """Global reference data every agency sees; shipped with the code, so no events."""
    async with runtime.store.transaction() as conn:
        for instrument in SEED_INSTRUMENTS:
            await insert_instrument(conn, GLOBAL, instrument, published_by=None)


def instrument_public(stored: StoredInstrument) -> InstrumentPublic:
    return InstrumentPublic.model_validate(
        {
            **stored.instrument.model_dump(mode="json"),
            "scope": stored.scope,
            "indicator_count": stored.indicator_count,
            "published_at": stored.published_at,
            "published_by": stored.published_by,
        }
    )


async def load_instrument(runtime: Runtime, agency_id: str, key: str, version: int) -> Instrument:
    """The instrument version an agency sees; a 422 naming what exists when it does not."""
    async with runtime.pool.acquire() as conn:
        return await load_instrument_on(conn, agency_id, key, version)


async def load_instrument_on(
    conn: Connection, agency_id: str, key: str, version: int
) -> Instrument:
    """`load_instrument` on a connection the caller already holds."""
    stored = await find_instrument(conn, agency_id, key, version)
    if stored is not None:
        return stored.instrument
    latest = await find_latest_instrument(conn, agency_id, key)
    if latest is None:
        raise Unprocessable(f"instrument {key!r} does not exist; GET /instruments lists them")
    raise Unprocessable(
        f"instrument {key!r} has no version {version}; "
        f"the latest is {latest.instrument.version} (GET /instruments?key={key})"
    )


class PublishedInstruments:
    """The instrument versions this process has found, by (agency, key, version).

    A stored version never changes (no update, no delete), and which row an agency sees
    for a (key, version) cannot change either: its own row wins over the global one, and
    publishing a version at or below one the agency already sees is refused
    (`_check_successor`). So a version once found is the answer for the life of the
    process, in every replica alike, and an observation costs no look-up of it. A version
    not found is not kept: it may be published later.
    """

    def __init__(self, at_most: int = 1024) -> None:
        self._found: dict[tuple[str, str, int], Instrument] = {}
        self._at_most = at_most

    async def load(self, conn: Connection, agency_id: str, key: str, version: int) -> Instrument:
        """`load_instrument_on`, looked up once per (agency, key, version)."""
        found = self._found.get((agency_id, key, version))
        if found is None:
            found = await load_instrument_on(conn, agency_id, key, version)
            if len(self._found) >= self._at_most:
                self._found.clear()
            self._found[(agency_id, key, version)] = found
        return found


_PUBLISHED: RuntimeExtra[PublishedInstruments] = RuntimeExtra("fidelity_published_instruments")


def published_instruments(runtime: Runtime) -> PublishedInstruments:
    """The running service's cache of found versions (made at its first use)."""
    cache = _PUBLISHED.get(runtime)
    if cache is None:
        cache = PublishedInstruments()
        _PUBLISHED.put(runtime, cache)
    return cache


async def get_instrument(
    runtime: Runtime, agency_id: str, key: str, version: int | None
) -> InstrumentPublic:
    async with runtime.pool.acquire() as conn:
        if version is None:
            stored = await find_latest_instrument(conn, agency_id, key)
        else:
            stored = await find_instrument(conn, agency_id, key, version)
    if stored is None:
        which = f"{key!r}" if version is None else f"{key!r} version {version}"
        raise NotFound(f"no instrument {which} in this agency; GET /instruments lists them")
    return instrument_public(stored)


async def publish_instrument(
    runtime: Runtime, principal: Principal, body: InstrumentDefinition
) -> tuple[InstrumentPublic, bool]:
    """Publish an agency version; versions are immutable, so old observations never move."""
    instrument = body.to_domain()
    agency = principal.agency_id

    async def find() -> tuple[InstrumentPublic, str] | None:
        async with runtime.pool.acquire() as conn:
            stored = await find_instrument(conn, agency, instrument.key, instrument.version)
        if stored is None:
            return None
        return instrument_public(stored), fingerprint(stored.instrument.model_dump(mode="json"))

    async def create() -> InstrumentPublic:
        async with runtime.pool.acquire() as conn:
            latest = await find_latest_instrument(conn, agency, instrument.key)
            if latest is not None:
                _check_successor(latest.instrument, instrument)
            async with conn.transaction():
                await runtime.store.append(
                    conn,
                    stream_id=stream_id(
                        "instrument", agency, instrument.key, f"v{instrument.version}"
                    ),
                    events=[_published(instrument, principal)],
                    expected_version=0,
                )
                await insert_instrument(conn, agency, instrument, principal.actor)
                stored = await find_instrument(conn, agency, instrument.key, instrument.version)
        assert stored is not None
        return instrument_public(stored)

    return await create_once(
        what=f"instrument {instrument.ref}",
        find=find,
        create=create,
        content_hash=fingerprint(instrument.model_dump(mode="json")),
    )


def _check_successor(latest: Instrument, new: Instrument) -> None:
    if new.version <= latest.version:
        raise Conflict(
            f"instrument {new.key!r} is at version {latest.version}; "
            f"publish version {latest.version + 1} or later"
        )
    if new.kind != latest.kind:
        raise Unprocessable(
            f"instrument {new.key!r} observes {latest.kind.value}; a new version cannot "
            f"change its kind to {new.kind.value} (publish it under a new key)"
        )


def _published(instrument: Instrument, principal: Principal) -> PendingEvent:
    return PendingEvent(
        event=InstrumentPublished(
            instrument_key=instrument.key,
            instrument_version=instrument.version,
            instrument_kind=instrument.kind.value,
            title=instrument.title,
            indicator_count=len(instrument.indicator_ids()),
            definition=instrument.model_dump(mode="json"),
        ),
        agency_id=principal.agency_id,
        occurred_at=datetime.now(UTC),
        actor=principal.actor,
    )


async def instrument_page(
    runtime: Runtime, agency_id: str, key: str | None, kind: str | None, page: PageRequest
) -> Page[InstrumentSummary]:
    async with runtime.pool.acquire() as conn:
        rows = await list_instruments(
            conn, agency_id, key=key, kind=kind, after=key_and_version(page), limit=page.limit + 1
        )
    return page_of(
        rows,
        page.limit,
        lambda r: [r["key"], r["version"]],
        lambda r: InstrumentSummary.model_validate(dict(r)),
    )
