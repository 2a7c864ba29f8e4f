"""Storing Statements (PUT or POST): one transaction per request, whatever the batch size.

Before the transaction, everything that can refuse the request is checked, so a refused
batch stores nothing: Attachments against the multipart parts (by SHA-2), signatures.
Inside it: the LRS-assigned properties (`stored`, `authority`, id…), the rows and their
references in a few set-based statements, ids already stored compared with what was
sent (different → 409, the whole batch is rolled back), voiding, Attachment data,
canonical Activity definitions and — for mapped Statements — the learning events.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from uuid import UUID, uuid4

import asyncpg

from shared.database import Connection, Pool
from shared.service import Runtime

from .adapters import activity_store, attachment_store, statement_store
from .adapters.mapping_store import save_outcomes
from .adapters.statement_store import StatementRow
from .canonical import activity_definitions, merge_definitions
from .comparison import same_statement
from .errors import RequestInvalid, StatementInvalid
from .evidence_recording import record_evidence, retract_voided, voided_outcome
from .limits import check_storable
from .multipart import AttachmentPart
from .signatures import check_signature, signature_hashes
from .stored_form import complete_statement
from .structure import JsonObject, child, item

_DEADLOCK_RETRIES = 3


class StatementConflict(Exception):
    """A Statement id is already stored with other content (409)."""


@dataclass(frozen=True)
class Submitter:
    """Who sends: the credential's agency, key and the Agent written as `authority`."""

    agency_id: str
    credential_key: str
    authority: JsonObject

    @property
    def actor(self) -> str:
        return f"{self.agency_id}/{self.credential_key}"


async def store_statements(
    pool: Pool,
    runtime: Runtime | None,  # None until the learning use cases have started
    submitter: Submitter,
    statements: Sequence[JsonObject],
    parts: Mapping[str, AttachmentPart],
) -> list[str]:
    """Store validated Statements; their ids in request order. Raises before storing."""
    kept_parts = check_attachments(statements, parts)
    for index, statement in enumerate(statements):
        check_storable(statement, item("", index) if len(statements) > 1 else "")
    ids = [UUID(str(s["id"])) if "id" in s else uuid4() for s in statements]
    for attempt in range(_DEADLOCK_RETRIES):
        try:
            return await _store(pool, runtime, submitter, statements, ids, kept_parts)
        except asyncpg.DeadlockDetectedError:
            if attempt == _DEADLOCK_RETRIES - 1:
                raise
    raise AssertionError("unreachable")


async def _store(
    pool: Pool,
    runtime: Runtime | None,  # None until the learning use cases have started
    submitter: Submitter,
    statements: Sequence[JsonObject],
    ids: Sequence[UUID],
    parts: Sequence[AttachmentPart],
) -> list[str]:
    agency = submitter.agency_id
    async with pool.acquire() as conn, conn.transaction():
        stored = await statement_store.stored_now(conn)
        completed = [
            complete_statement(s, stored=stored, authority=submitter.authority, statement_id=i)
            for s, i in zip(statements, ids, strict=True)
        ]
        rows = sorted((StatementRow.of(c) for c in completed), key=lambda r: r.statement_id)
        inserted = await statement_store.insert_statements(
            conn, agency, submitter.credential_key, stored, rows
        )
        repeated = [r.statement_id for r in rows if r.statement_id not in inserted]
        existing = await statement_store.stored_documents(conn, agency, repeated)
        for index, (sent, statement_id) in enumerate(zip(statements, ids, strict=True)):
            if statement_id in existing and not same_statement(existing[statement_id], sent):
                where = f"[{index}] of the batch" if len(statements) > 1 else "the statement"
                raise StatementConflict(
                    f"statement id {statement_id} ({where}) is already stored with different "
                    "content; statements are immutable — send a new id, or void the old one"
                )
        if not inserted:
            return [str(c["id"]) for c in completed]
        new = [c for c in completed if UUID(str(c["id"])) in inserted]
        voided = await statement_store.mark_voided(conn, agency, sorted(inserted))
        wanted = {str(a["sha2"]).lower() for c in new for _, a in _attachments(c, "")}
        kept = [p for p in parts if p.sha2 in wanted]
        await attachment_store.save_attachments(conn, agency, kept)
        await _keep_definitions(conn, agency, activity_definitions(new))
        if runtime is not None:
            await _evidence(runtime, conn, submitter, new, voided)
    return [str(c["id"]) for c in completed]


async def _evidence(
    runtime: Runtime,
    conn: Connection,
    submitter: Submitter,
    new: Sequence[JsonObject],
    voided: set[UUID],
) -> None:
    """Outcomes of the new Statements; evidence of the ones voided now is retracted."""
    agency = submitter.agency_id
    voiding = {target: c for c in new if (target := StatementRow.of(c).voids) is not None}
    new_ids = {UUID(str(c["id"])) for c in new}
    live = [c for c in new if UUID(str(c["id"])) not in voided]
    await save_outcomes(
        conn,
        agency,
        [
            voided_outcome(
                c,
                f"statement {voiding[i]['id']}"
                if (i := UUID(str(c["id"]))) in voiding
                else "a statement stored earlier",
            )
            for c in new
            if UUID(str(c["id"])) in voided
        ],
    )
    await record_evidence(runtime, conn, agency, submitter.actor, live)
    earlier = {i: voiding[i] for i in voided - new_ids if i in voiding}
    await retract_voided(runtime, conn, agency, submitter.actor, earlier)


async def _keep_definitions(
    conn: Connection, agency_id: str, received: dict[str, dict[str, object]]
) -> None:
    """Write only definitions that change: no row lock is taken in the steady state."""
    stored = await activity_store.canonical_definitions(conn, agency_id, list(received))
    changed = {}
    for activity_id, definition in received.items():
        merged = merge_definitions(stored.get(activity_id), definition)
        if merged != stored.get(activity_id):
            changed[activity_id] = merged
    await activity_store.save_definitions(conn, agency_id, changed)


def check_attachments(
    statements: Sequence[JsonObject], parts: Mapping[str, AttachmentPart]
) -> list[AttachmentPart]:
    """Match Attachments to parts by SHA-2, verify signatures; the parts to keep.

    An Attachment without `fileUrl` needs a part with its SHA-2 (Communication
    §1.5.2.s3.b5) — matched by hash only (§1.5.2.s1.b4); a part no Attachment declares
    is refused.
    """
    used: dict[str, AttachmentPart] = {}
    for index, statement in enumerate(statements):
        path = item("", index) if len(statements) > 1 else ""
        for attachment_path, attachment in _attachments(statement, path):
            sha2 = str(attachment["sha2"]).lower()
            part = parts.get(sha2)
            if part is None:
                if "fileUrl" not in attachment:
                    raise StatementInvalid(
                        "this Attachment has no fileUrl, so its data must come as a "
                        "multipart/mixed part whose X-Experience-API-Hash is this sha2",
                        child(attachment_path, "sha2"),
                    )
                continue
            used[sha2] = part
        for sha2 in signature_hashes(statement):
            if sha2 in parts:
                check_signature(statement, parts[sha2].content, path)
    unused = sorted(set(parts) - set(used))
    if unused:
        raise RequestInvalid(
            f"the multipart part with X-Experience-API-Hash {unused[0]} belongs to no "
            "Attachment of the Statements sent"
        )
    return list(used.values())


def _attachments(statement: JsonObject, path: str) -> list[tuple[str, JsonObject]]:
    found: list[tuple[str, JsonObject]] = []
    for owner, owner_path in ((statement, path), (statement.get("object"), child(path, "object"))):
        if not isinstance(owner, Mapping):
            continue
        attachments = owner.get("attachments")
        for index, attachment in enumerate(attachments if isinstance(attachments, list) else []):
            found.append((item(child(owner_path, "attachments"), index), attachment))
    return found
