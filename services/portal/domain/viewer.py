"""The signed-in person, as the session keeps them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.auth import Role


@dataclass(frozen=True)
class Viewer:
    subject: str
    agency_id: str
    roles: frozenset[Role]
    token: str
    name: str

    def to_session(self) -> dict[str, Any]:
        return {
            "sub": self.subject,
            "agency": self.agency_id,
            "roles": sorted(r.value for r in self.roles),
            "token": self.token,
            "name": self.name,
        }

    @classmethod
    def from_session(cls, data: Any) -> Viewer | None:
        """The viewer a session holds, or None when it holds no (well-formed) one."""
        if not isinstance(data, dict):
            return None
        try:
            roles = frozenset(Role(r) for r in data["roles"])
            return cls(
                subject=str(data["sub"]),
                agency_id=str(data["agency"]),
                roles=roles,
                token=str(data["token"]),
                name=str(data.get("name") or data["sub"]),
            )
        except (KeyError, TypeError, ValueError):
            return None

    @property
    def practitioner_only(self) -> bool:
        return self.roles <= {Role.PRACTITIONER}
