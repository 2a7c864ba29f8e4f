"""State, Activity Profile and Agent Profile documents in one table.

A document is addressed by its resource, Activity id, Agent (identity key),
registration and document id; parts a resource does not use are the empty string.
Writers hold a transaction-scoped advisory lock on the address, so a precondition
(If-Match / If-None-Match) checked against the current document still holds when the
write commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.database import Connection

from ..documents import Document, DocumentResource


@dataclass(frozen=True)
class DocumentAddress:
    resource: DocumentResource
    activity_id: str = ""
    agent_key: str = ""
    registration: str = ""
    document_id: str = ""

    def values(self) -> tuple[str, str, str, str, str]:
        return (
            self.resource.value,
            self.activity_id,
            self.agent_key,
            self.registration,
            self.document_id,
        )


@dataclass(frozen=True)
class StoredDocument:
    document: Document
    updated: datetime


_WHERE_ONE = (
    "agency_id = $1 AND resource = $2 AND activity_id = $3 AND agent_key = $4"
    " AND registration = $5 AND document_id = $6"
)


async def lock_document(conn: Connection, agency_id: str, address: DocumentAddress) -> None:
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended($1, 1))",
        "\x1f".join((agency_id, *address.values())),
    )


async def find_document(
    conn: Connection, agency_id: str, address: DocumentAddress
) -> StoredDocument | None:
    row = await conn.fetchrow(
        f"SELECT content_type, content, etag, updated FROM xapi_documents WHERE {_WHERE_ONE}",
        agency_id,
        *address.values(),
    )
    if row is None:
        return None
    document = Document(row["content_type"], row["content"], row["etag"])
    return StoredDocument(document, row["updated"])


async def save_document(
    conn: Connection, agency_id: str, address: DocumentAddress, document: Document
) -> None:
    await conn.execute(
        """
        INSERT INTO xapi_documents (agency_id, resource, activity_id, agent_key, registration,
            document_id, content_type, content, etag, updated)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, clock_timestamp())
        ON CONFLICT (agency_id, resource, activity_id, agent_key, registration, document_id)
        DO UPDATE SET content_type = excluded.content_type, content = excluded.content,
            etag = excluded.etag, updated = excluded.updated
        """,
        agency_id,
        *address.values(),
        document.content_type,
        document.content,
        document.etag,
    )


async def delete_document(conn: Connection, agency_id: str, address: DocumentAddress) -> None:
    await conn.execute(
        f"DELETE FROM xapi_documents WHERE {_WHERE_ONE}", agency_id, *address.values()
    )


def _scope(address: DocumentAddress, *, registration_given: bool) -> tuple[str, list[str]]:
    """Documents of the address's Activity/Agent (and registration, when given)."""
    where = "agency_id = $1 AND resource = $2 AND activity_id = $3 AND agent_key = $4"
    values = [address.resource.value, address.activity_id, address.agent_key]
    if registration_given:
        where += " AND registration = $5"
        values.append(address.registration)
    return where, values


async def document_ids(
    conn: Connection,
    agency_id: str,
    scope: DocumentAddress,
    *,
    registration_given: bool,
    since: datetime | None,
) -> list[tuple[str, datetime]]:
    """(document id, updated) of the scope's documents, updated after `since` if given."""
    where, values = _scope(scope, registration_given=registration_given)
    arguments: list[object] = [agency_id, *values]
    if since is not None:
        arguments.append(since)
        where += f" AND updated > ${len(arguments)}"
    rows = await conn.fetch(
        f"SELECT DISTINCT document_id, max(updated) OVER (PARTITION BY document_id) AS updated"
        f" FROM xapi_documents WHERE {where} ORDER BY document_id",
        *arguments,
    )
    return [(row["document_id"], row["updated"]) for row in rows]


async def delete_documents(
    conn: Connection, agency_id: str, scope: DocumentAddress, *, registration_given: bool
) -> None:
    where, values = _scope(scope, registration_given=registration_given)
    await conn.execute(f"DELETE FROM xapi_documents WHERE {where}", agency_id, *values)
