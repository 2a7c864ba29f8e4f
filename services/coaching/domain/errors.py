"""Domain errors of the coaching service.

Every rule in the coaching core raises one of these. Each carries the ``field`` the
caller must fix (named as in the command that was refused) and a ``message`` that says
what to do about it, so the API layer can turn it into an RFC 9457 problem without
re-wording anything. The three subclasses tell the edge which status fits:

- ``InvalidFieldError``       the value itself is wrong (unknown, out of range, future) → 422
- ``PermissionRefusedError``  the value is well-formed but this person may not do it   → 403
- ``StateConflictError``      the request clashes with what is already recorded       → 409
"""

from __future__ import annotations


class CoachingError(Exception):
    """A coaching rule refused a request; ``field`` names what to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class InvalidFieldError(CoachingError):
    """A field holds a value the domain does not accept (unknown, out of range, future)."""


class PermissionRefusedError(CoachingError):
    """The actor named in a field may not do this (not the assigned coach, self-rating)."""


class StateConflictError(CoachingError):
    """The request contradicts recorded state (overlapping assignment, illegal goal transition)."""
