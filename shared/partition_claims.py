"""Which replica consumes which partition: claims with a lease, in PostgreSQL.

Each replica of a service heartbeats as a member of each consumer group
(`partition_members`) and holds at most its fair share of the group's partitions
(`partition_claims`, one row per partition with its holder and lease). A claim is taken
only when it is free or its lease has run out, in one statement, so two replicas never
hold one partition; a holder renews its claims each round and gives a partition back
only after its consumer of that partition has stopped.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.database import Pool
from shared.partition_subjects import fair_share

# count the live members, this one included (the CTE's insert is not visible to the select)
_HEARTBEAT = """
WITH beat AS (
    INSERT INTO partition_members (consumer, holder, expires_at)
    VALUES ($1, $2, clock_timestamp() + make_interval(secs => $3))
    ON CONFLICT (consumer, holder) DO UPDATE SET expires_at = excluded.expires_at
    RETURNING 1
)
SELECT 1 + count(*) FROM partition_members
WHERE consumer = $1 AND holder <> $2 AND expires_at > clock_timestamp()
"""

_RENEW = """
UPDATE partition_claims SET expires_at = clock_timestamp() + make_interval(secs => $3)
WHERE consumer = $1 AND holder = $2 AND expires_at > clock_timestamp()
RETURNING partition
"""

_TAKEN = """
SELECT partition FROM partition_claims
WHERE consumer = $1 AND holder <> $2 AND expires_at > clock_timestamp()
"""

# a claim is taken only if free or expired: of two replicas racing, one wins
_CLAIM = """
INSERT INTO partition_claims AS c (consumer, partition, holder, claimed_at, expires_at)
SELECT $1, p, $2, clock_timestamp(), clock_timestamp() + make_interval(secs => $3)
FROM unnest($4::integer[]) AS p
ON CONFLICT (consumer, partition) DO UPDATE SET
    holder = excluded.holder,
    claimed_at = excluded.claimed_at,
    expires_at = excluded.expires_at
WHERE c.expires_at <= clock_timestamp()
RETURNING partition
"""


@dataclass(frozen=True)
class Round:
    """What one round of claiming decided for this replica."""

    members: int
    held: frozenset[int]  # renewed or newly claimed: consume these
    lost: frozenset[int]  # believed held, but the lease ran out: stop at once


class PartitionClaims:
    """The claims of one replica (`holder`) in one consumer group (`consumer`)."""

    def __init__(self, pool: Pool, consumer: str, holder: str, lease_seconds: float) -> None:
        self.pool = pool
        self.consumer = consumer
        self.holder = holder
        self.lease_seconds = lease_seconds

    async def round(self, partitions: int, believed: frozenset[int]) -> Round:
        """Heartbeat, renew what is held, and claim free partitions up to the fair share."""
        async with self.pool.acquire() as conn, conn.transaction():
            members = int(
                await conn.fetchval(_HEARTBEAT, self.consumer, self.holder, self.lease_seconds)
            )
            rows = await conn.fetch(_RENEW, self.consumer, self.holder, self.lease_seconds)
            renewed = frozenset(int(r["partition"]) for r in rows)
        wanted = fair_share(partitions, members) - len(renewed)
        claimed: frozenset[int] = frozenset()
        if wanted > 0:
            claimed = await self._claim_free(partitions, renewed, wanted)
        return Round(members, renewed | claimed, believed - renewed)

    async def _claim_free(
        self, partitions: int, renewed: frozenset[int], wanted: int
    ) -> frozenset[int]:
        async with self.pool.acquire() as conn:
            taken = {
                int(r["partition"]) for r in await conn.fetch(_TAKEN, self.consumer, self.holder)
            }
            free = [p for p in self._preferred_order(partitions) if p not in taken | renewed]
            if not free:
                return frozenset()
            rows = await conn.fetch(
                _CLAIM, self.consumer, self.holder, self.lease_seconds, free[:wanted]
            )
        return frozenset(int(r["partition"]) for r in rows)

    def _preferred_order(self, partitions: int) -> list[int]:
        """Start from a place of this holder's own, so joining replicas pick apart."""
        start = sum(self.holder.encode()) % partitions
        return [(start + i) % partitions for i in range(partitions)]

    async def release(self, partitions: frozenset[int]) -> None:
        """Give partitions back (their consumer has stopped): another replica may take them."""
        if not partitions:
            return
        async with self.pool.acquire() as conn:
            await conn.execute(
                "DELETE FROM partition_claims WHERE consumer = $1 AND holder = $2"
                " AND partition = ANY($3::integer[])",
                self.consumer,
                self.holder,
                sorted(partitions),
            )

    async def leave(self) -> None:
        """Give every claim back and stop counting as a member (a clean shutdown)."""
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "DELETE FROM partition_claims WHERE consumer = $1 AND holder = $2",
                self.consumer,
                self.holder,
            )
            await conn.execute(
                "DELETE FROM partition_members WHERE consumer = $1 AND (holder = $2"
                " OR expires_at < clock_timestamp() - interval '1 hour')",
                self.consumer,
                self.holder,
            )

    async def holders(self) -> dict[int, str]:
        """The live claims of the group: partition → holder (for operators and tests)."""
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT partition, holder FROM partition_claims"
                " WHERE consumer = $1 AND expires_at > clock_timestamp()",
                self.consumer,
            )
        return {int(r["partition"]): str(r["holder"]) for r in rows}
