"""Reading a service's roster copy: who is on the roster on a date, teams, the refusal.

A practitioner is on the roster on day D when the copy knows them (registered, or their
details changed) and D is not inside a left period [left_on, returned_on). Evidence dated
before the program start is still accepted (history before the program counts as the
policy says). Their details on D are the ones in force on D (the latest effective on or
before D; before the first, the first). Their teams on D: the supervisor's team (team id
= the supervisor's id) and the named team in force on D.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from shared.database import Connection
from shared.problems import Unprocessable

SUPERVISOR_TEAM = "supervisor"
NAMED_TEAM = "named"


@dataclass(frozen=True, slots=True)
class RosterEntry:
    """One practitioner's details in force on a date."""

    practitioner_id: str
    role: str | None
    coach_id: str | None
    supervisor_id: str | None
    team_id: str | None
    program_start: date


@dataclass(frozen=True, slots=True)
class RosterTeam:
    """A team on a date: a supervisor's (id = the supervisor) or a named one."""

    team_id: str
    kind: str
    member_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RosterHistory:
    """A practitioner's time on the roster: program start and the periods away."""

    practitioner_id: str
    program_start: date
    away: tuple[tuple[date, date | None], ...]  # [left_on, returned_on)

    def on_roster(self, day: date) -> bool:
        return not any(left <= day and (back is None or day < back) for left, back in self.away)


class NotOnRoster(Unprocessable):
    title, slug = "Not on the roster", "not-on-roster"


def away_periods(departures: Iterable[tuple[str, date]]) -> tuple[tuple[date, date | None], ...]:
    """[left_on, returned_on) periods from dated `left` / `returned` facts, in any order.

    A return closes the period the latest leaving opened; a return on the leaving day
    means the practitioner never was away; a return with no leaving before it is ignored.
    """
    periods: list[tuple[date, date | None]] = []
    left_on: date | None = None
    for kind, day in sorted(departures, key=lambda d: (d[1], d[0] == "returned")):
        if kind == "left" and left_on is None:
            left_on = day
        elif kind == "returned" and left_on is not None:
            if day > left_on:
                periods.append((left_on, day))
            left_on = None
    if left_on is not None:
        periods.append((left_on, None))
    return tuple(periods)


_IN_FORCE = """
    SELECT DISTINCT ON (practitioner_id) practitioner_id, role, coach_id, supervisor_id,
           team_id, program_start
    FROM roster_details WHERE agency_id = $1 {only}
    ORDER BY practitioner_id, (effective_on <= $2) DESC,
             CASE WHEN effective_on <= $2 THEN effective_on END DESC NULLS LAST, effective_on
"""

_LATEST_DEPARTURE = """
    SELECT DISTINCT ON (practitioner_id) practitioner_id, kind
    FROM roster_departures WHERE agency_id = $1 AND effective_on <= $2 {only}
    ORDER BY practitioner_id, effective_on DESC, (kind = 'returned') DESC
"""

_ON_ROSTER = f"""
    WITH in_force AS ({_IN_FORCE}), latest AS ({_LATEST_DEPARTURE})
    SELECT f.* FROM in_force f LEFT JOIN latest l USING (practitioner_id)
    WHERE l.kind IS DISTINCT FROM 'left'
"""

# `entries_on` for one practitioner, `$3::text` ($1 agency, $2 day), as a subquery for a
# statement that reads more in the same round trip (the refusal: `require_on_roster`). A
# scalar, not `= ANY($3::text[])`: over an array of unknown length PostgreSQL plans the
# statement anew at every execution; over one id it keeps one generic plan.
ON_ROSTER_OF = _ON_ROSTER.format(only="AND practitioner_id = $3::text")


def on_roster_of(first_parameter: int) -> str:
    """`ON_ROSTER_OF` with its three parameters numbered from `first_parameter`."""
    shift = first_parameter - 1
    return re.sub(r"\$(\d)\b", lambda m: f"${int(m.group(1)) + shift}", ON_ROSTER_OF)


async def entries_on(
    conn: Connection, agency_id: str, day: date, practitioner_ids: Sequence[str] | None = None
) -> dict[str, RosterEntry]:
    """The practitioners on the roster on `day` (all, or those of `practitioner_ids`)."""
    only = "" if practitioner_ids is None else "AND practitioner_id = ANY($3::text[])"
    params: list[object] = [agency_id, day]
    if practitioner_ids is not None:
        params.append(list(practitioner_ids))
    rows = await conn.fetch(_ON_ROSTER.format(only=only), *params)
    return {r["practitioner_id"]: RosterEntry(**dict(r)) for r in rows}


async def require_on_roster(
    conn: Connection, agency_id: str, practitioner_ids: Iterable[str], on: date
) -> None:
    """422 `not-on-roster` naming the first id that is not on the roster on `on`."""
    wanted = list(dict.fromkeys(practitioner_ids))
    found = await entries_on(conn, agency_id, on, wanted)
    missing = [p for p in wanted if p not in found]
    if not missing:
        return
    known = await known_practitioners(conn, agency_id, missing)
    first = missing[0]
    if first in known:
        raise NotOnRoster(
            f"practitioner {first!r} is not on agency {agency_id}'s roster on {on}: they "
            "left on or before that day and had not returned; evidence dated while away is "
            "refused (record their return at certification, POST /practitioners/"
            f"{first}/return, if they came back)",
            extra={"practitioner_id": first},
        )
    raise NotOnRoster(
        f"practitioner {first!r} is not on agency {agency_id}'s roster; register them at "
        "certification (POST /practitioners) first",
        extra={"practitioner_id": first},
    )


async def known_practitioners(
    conn: Connection, agency_id: str, practitioner_ids: Sequence[str]
) -> set[str]:
    """The ids the copy knows at all (registered, whatever their periods away)."""
    rows = await conn.fetch(
        "SELECT DISTINCT practitioner_id FROM roster_details"
        " WHERE agency_id = $1 AND practitioner_id = ANY($2::text[])",
        agency_id,
        list(practitioner_ids),
    )
    return {r["practitioner_id"] for r in rows}


async def teams_on(conn: Connection, agency_id: str, day: date) -> list[RosterTeam]:
    """Every team with at least one member on `day`, by team id, then kind."""
    members: dict[tuple[str, str], list[str]] = {}
    for entry in sorted((await entries_on(conn, agency_id, day)).values(), key=_by_id):
        if entry.supervisor_id:
            members.setdefault((entry.supervisor_id, SUPERVISOR_TEAM), []).append(
                entry.practitioner_id
            )
        if entry.team_id:
            members.setdefault((entry.team_id, NAMED_TEAM), []).append(entry.practitioner_id)
    return [
        RosterTeam(team_id, kind, tuple(ids)) for (team_id, kind), ids in sorted(members.items())
    ]


async def team_on(conn: Connection, agency_id: str, team_id: str, day: date) -> RosterTeam | None:
    """The team `team_id` on `day` (a supervisor's team wins a clash of ids), or None."""
    found = {t.kind: t for t in await teams_on(conn, agency_id, day) if t.team_id == team_id}
    return found.get(SUPERVISOR_TEAM) or found.get(NAMED_TEAM)


async def histories(conn: Connection, agency_id: str) -> list[RosterHistory]:
    """Every practitioner the copy knows, with their current program start and time away."""
    starts = await conn.fetch(
        "SELECT DISTINCT ON (practitioner_id) practitioner_id, program_start"
        " FROM roster_details WHERE agency_id = $1"
        " ORDER BY practitioner_id, effective_on DESC",
        agency_id,
    )
    departures: dict[str, list[tuple[str, date]]] = {}
    for row in await conn.fetch(
        "SELECT practitioner_id, kind, effective_on FROM roster_departures WHERE agency_id = $1",
        agency_id,
    ):
        departures.setdefault(row["practitioner_id"], []).append((row["kind"], row["effective_on"]))
    return [
        RosterHistory(
            practitioner_id=r["practitioner_id"],
            program_start=r["program_start"],
            away=away_periods(departures.get(r["practitioner_id"], [])),
        )
        for r in starts
    ]


def _by_id(entry: RosterEntry) -> str:
    return entry.practitioner_id


async def off_roster(
    conn: Connection, agency_id: str, pairs: Iterable[tuple[str, date]]
) -> set[tuple[str, date]]:
    """Those (practitioner, day) pairs whose practitioner is not on the roster that day,
    in one query: `require_on_roster` for a whole batch of records (same rule: known to
    the copy, and the latest departure on or before the day is not a leaving)."""
    wanted = list(dict.fromkeys(pairs))
    if not wanted:
        return set()
    rows = await conn.fetch(
        """
        SELECT p.practitioner_id, p.day
        FROM unnest($2::text[], $3::date[]) AS p(practitioner_id, day)
        WHERE NOT EXISTS (SELECT 1 FROM roster_details d
                          WHERE d.agency_id = $1 AND d.practitioner_id = p.practitioner_id)
           OR (SELECT r.kind FROM roster_departures r
               WHERE r.agency_id = $1 AND r.practitioner_id = p.practitioner_id
                 AND r.effective_on <= p.day
               ORDER BY r.effective_on DESC, (r.kind = 'returned') DESC LIMIT 1) = 'left'
        """,
        agency_id,
        [practitioner_id for practitioner_id, _ in wanted],
        [day for _, day in wanted],
    )
    return {(r["practitioner_id"], r["day"]) for r in rows}
