"""Domain errors of the fidelity service.

Plain exceptions raised by the pure core. Each carries a human-readable ``detail``
and, where one element is at fault, its id, so an entrypoint can turn it into an
RFC 9457 problem (``code`` is the stable slug for the problem ``type``) without
parsing messages.
"""

from __future__ import annotations


class FidelityError(Exception):
    """Base class: something the caller asked for breaks a fidelity rule."""

    code = "fidelity-error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidInstrumentError(FidelityError):
    """An instrument definition is malformed (empty level, duplicate or bad id)."""

    code = "invalid-instrument"

    def __init__(self, detail: str, element_id: str | None = None) -> None:
        super().__init__(detail)
        self.element_id = element_id


class InvalidObservationError(FidelityError):
    """The ratings of an observation do not fit its instrument."""

    code = "invalid-observation"

    def __init__(self, detail: str, indicator_id: str | None = None) -> None:
        super().__init__(detail)
        self.indicator_id = indicator_id


class MissingRatingError(InvalidObservationError):
    """An indicator of the instrument was not rated (N/A must be said explicitly)."""

    code = "missing-rating"


class UnknownIndicatorError(InvalidObservationError):
    """A rating names an indicator the instrument does not have."""

    code = "unknown-indicator"


class DuplicateRatingError(InvalidObservationError):
    """The same indicator was rated more than once in one observation."""

    code = "duplicate-rating"


class InvalidRatingError(InvalidObservationError):
    """A rating value is not one of present / absent / not_applicable."""

    code = "invalid-rating"


class UnscorableObservationError(InvalidObservationError):
    """Every indicator is not applicable, so no item and no total can be scored."""

    code = "unscorable-observation"


class RatingsNotComparableError(FidelityError):
    """Two sets of ratings cannot be compared for agreement (different or no indicators)."""

    code = "ratings-not-comparable"

    def __init__(self, detail: str, indicator_id: str | None = None) -> None:
        super().__init__(detail)
        self.indicator_id = indicator_id
