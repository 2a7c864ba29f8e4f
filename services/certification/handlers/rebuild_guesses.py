"""Folds a rebuild starts from its log while the log is still being replayed.

The replay keeps the database busy on one connection for a while and leaves the fold
workers idle. Meanwhile, on a connection of its own (in a snapshot taken under the
agency's lock, so the log cannot change), the rebuild reads the first practitioners'
evidence straight from the log, and the policy, calibrations and announced transitions
from the projection it is replacing (what they usually are again), and hands those
practitioners to the workers. A guess is used only when every input of the fold
(`fold_jobs.FoldJob`) turns out identical after the replay: the same evidence items,
the same policy, the agency's same calibrations, the same announced transitions, the
same day; anything else is folded again from the replayed projection. So a guess
changes when a fold runs, never what it gives.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import date

from services.certification.adapters import policy_rows, status_rows
from services.certification.adapters.calibration_rows import calibrations_of
from services.certification.domain.calibrations import Calibration
from services.certification.domain.publication import Announced
from services.certification.handlers.fold_jobs import Folded, FoldJob, fold_job
from shared.database import Connection

_LOGGED_EVIDENCE = """
    SELECT data->>'practitioner_id' AS practitioner_id, (data->'item')::text AS item
    FROM events
    WHERE agency_id = $1 AND subject = ANY($2::text[]) AND name = 'evidence_received'
"""
_REGISTERED = """
    SELECT DISTINCT subject FROM events
    WHERE agency_id = $1 AND name = 'practitioner_registered'
    ORDER BY subject LIMIT $2
"""


def evidence_digest(texts: Iterable[str]) -> bytes:
    """The practitioner's evidence items, in any order, as one comparable value."""
    return hashlib.blake2b("\0".join(sorted(texts)).encode(), digest_size=16).digest()


@dataclass
class _Guess:
    evidence: bytes
    announced: list[Announced]
    folding: asyncio.Future[list[Folded]]
    index: int


@dataclass
class Guesses:
    """The folds guessed so far, by practitioner, with what each was folded from."""

    today: date
    policy_json: str = ""
    calibrations: frozenset[Calibration] = frozenset()
    by_practitioner: dict[str, _Guess] = field(default_factory=dict)

    async def take(
        self,
        practitioner_id: str,
        evidence: Sequence[str],
        announced: list[Announced],
        policy_json: str,
        calibrations: frozenset[Calibration],
    ) -> Folded | None:
        """The guessed fold of the practitioner if it was folded from exactly these
        inputs (the agency's calibrations all of them), else None."""
        guess = self.by_practitioner.pop(practitioner_id, None)
        if (
            guess is None
            or policy_json != self.policy_json
            or calibrations != self.calibrations
            or guess.announced != announced
            or guess.evidence != evidence_digest(evidence)
        ):
            return None
        try:
            return (await guess.folding)[guess.index]
        except Exception:  # a guess that failed is folded again, from the projection
            return None

    def cancel(self) -> None:
        for guess in self.by_practitioner.values():
            guess.folding.cancel()
        self.by_practitioner.clear()


async def guess(
    conn: Connection,
    guesses: Guesses,
    agency_id: str,
    executor: Executor,
    job_size: int,
    most: int,
) -> None:
    """Fold up to ``most`` practitioners (the first registered, by id) from the log."""
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        policy = await policy_rows.adopted_policy(conn, agency_id)
        guesses.policy_json = policy.model_dump_json()
        guesses.calibrations = frozenset(await calibrations_of(conn, agency_id))
        registered = [row["subject"] for row in await conn.fetch(_REGISTERED, agency_id, most)]
        for start in range(0, len(registered), job_size):
            ids = registered[start : start + job_size]
            evidence: dict[str, list[str]] = {practitioner_id: [] for practitioner_id in ids}
            for row in await conn.fetch(_LOGGED_EVIDENCE, agency_id, ids):
                if row["practitioner_id"] in evidence:
                    evidence[row["practitioner_id"]].append(row["item"])
            announced = await status_rows.announced_of(conn, agency_id, ids)
            job = FoldJob(
                policy_json=guesses.policy_json,
                today=guesses.today,
                calibrations=tuple(guesses.calibrations),
                evidence=evidence,
                announced=announced,
            )
            folding = asyncio.wrap_future(executor.submit(fold_job, job))
            for index, practitioner_id in enumerate(evidence):
                guesses.by_practitioner[practitioner_id] = _Guess(
                    evidence_digest(evidence[practitioner_id]),
                    announced[practitioner_id],
                    folding,
                    index,
                )
