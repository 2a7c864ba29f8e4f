"""LMS credentials: issued, listed, rotated and revoked by an agency admin; stored hashed."""

from __future__ import annotations

import asyncpg

from tests.learning.xapi.integration.conftest import new_agency
from tests.learning.xapi.integration.lrs_client import VERSION, Lms, basic


async def can_read(lms: Lms, key: str, secret: str) -> bool:
    response = await lms.client.get("/xapi/statements", headers={**VERSION, **basic(key, secret)})
    assert response.status_code in (200, 401), response.text
    return response.status_code == 200


async def test_an_issued_credential_works_and_only_its_hash_is_stored(lms: Lms) -> None:
    assert await can_read(lms, lms.key, lms.secret)
    conn = await asyncpg.connect(lms.settings.database_dsn)
    try:
        row = await conn.fetchrow(
            f'SELECT * FROM "{lms.settings.db_schema}".xapi_credentials WHERE key = $1', lms.key
        )
    finally:
        await conn.close()
    assert row is not None and row["agency_id"] == lms.agency_id
    stored = b"".join(v for v in row.values() if isinstance(v, bytes))
    assert lms.secret.encode() not in stored
    assert lms.secret not in str(dict(row))
    assert len(row["secret_salt"]) == 16


async def test_the_list_shows_credentials_without_secrets(lms: Lms) -> None:
    response = await lms.admin("GET", "/xapi-credentials")
    assert response.status_code == 200
    [listed] = response.json()
    assert listed["key"] == lms.key and listed["active"] is True
    assert "secret" not in listed


async def test_rotation_replaces_the_secret_at_once(lms: Lms) -> None:
    rotated = await lms.admin("POST", f"/xapi-credentials/{lms.key}/rotate")
    assert rotated.status_code == 200
    new_secret = rotated.json()["secret"]
    assert not await can_read(lms, lms.key, lms.secret)
    assert await can_read(lms, lms.key, new_secret)


async def test_a_revoked_credential_is_refused(lms: Lms) -> None:
    assert (await lms.admin("DELETE", f"/xapi-credentials/{lms.key}")).status_code == 204
    assert not await can_read(lms, lms.key, lms.secret)


async def test_an_admin_may_choose_the_key_once(lms: Lms, running_lrs: Lms) -> None:
    chosen = {"partner_name": "Relias", "key": f"relias-{lms.agency_id}"}
    first = await lms.admin("POST", "/xapi-credentials", chosen)
    assert first.status_code == 201
    assert first.json()["authority"]["account"]["name"] == chosen["key"]
    other = await new_agency(running_lrs)
    assert (await other.admin("POST", "/xapi-credentials", chosen)).status_code == 409
    bad = await lms.admin("POST", "/xapi-credentials", {"partner_name": "X", "key": "Bad Key!"})
    assert bad.status_code == 422


async def test_only_an_admin_of_the_agency_manages_its_credentials(
    lms: Lms, running_lrs: Lms
) -> None:
    coach = await lms.client.get("/xapi-credentials", headers=lms.admin_headers("coach"))
    assert coach.status_code == 403
    other = await new_agency(running_lrs)
    assert (await other.admin("POST", f"/xapi-credentials/{lms.key}/rotate")).status_code == 404
    assert (await other.admin("DELETE", f"/xapi-credentials/{lms.key}")).status_code == 404
    assert await can_read(lms, lms.key, lms.secret)
    anonymous = await lms.client.get("/xapi-credentials")
    assert anonymous.status_code == 401
