"""A certification policy as versioned data: levels, their requirements, their maintenance.

An agency stores a policy as JSON (``Policy.model_dump_json`` /
``Policy.model_validate_json``) and adopts versions; the evaluator reads only this
data, so a draft version can be evaluated over current evidence before adoption.

A requirement is one of a closed set of *types* (a discriminated union on ``type``)
whose parameters are the numbers an agency may tune. Windows in days are inclusive:
"within the last N days of d" means ``0 <= (d - practice date).days <= N``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.certification.domain.vocabulary import (
    CoachingComponent,
    Competency,
    InstrumentKind,
    Percent,
    SkillLevel,
)

# A century at most: longer spans are typos, and would overflow date arithmetic.
MAX_DAYS = 36_500
Days = Annotated[int, Field(ge=0, le=MAX_DAYS)]


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ModulesMasteredInOrder(_Data):
    """Every listed module mastered, in list order: module k no earlier than module k-1.

    Decided on the mastery dates known at evaluation time, whatever order the masteries
    arrived in (learning's ``previous_module_mastered`` flag is not used).
    """

    type: Literal["modules_mastered_in_order"] = "modules_mastered_in_order"
    module_ids: tuple[str, ...] = Field(min_length=1)


class ConceptsNotLapsed(_Data):
    """No concept lapsed at evaluation time (``concept_ids`` None: any concept reported)."""

    type: Literal["concepts_not_lapsed"] = "concepts_not_lapsed"
    concept_ids: tuple[str, ...] | None = None


class MonthlyCoaching(_Data):
    """A session with at least ``required_components`` in ``min_months`` of the window.

    The window is the ``window_months`` calendar months ending with the evaluation
    date's own month (that month counts up to the evaluation date).
    """

    type: Literal["monthly_coaching"] = "monthly_coaching"
    min_months: int = Field(default=9, ge=1, le=1200)
    window_months: int = Field(default=12, ge=1, le=1200)
    required_components: frozenset[CoachingComponent] = frozenset({"practice", "feedback"})

    @model_validator(mode="after")
    def _fits_window(self) -> MonthlyCoaching:
        if self.min_months > self.window_months:
            raise ValueError("min_months cannot exceed window_months")
        return self


class SkillRatings(_Data):
    """The current rating of every listed competency is at least ``min_level``."""

    type: Literal["skill_ratings"] = "skill_ratings"
    competencies: tuple[Competency, ...] = Field(min_length=1)
    min_level: SkillLevel = SkillLevel.INDEPENDENT


class QualifyingObservations(_Data):
    """``min_count`` observations within the window, each qualifying on its own, spaced.

    One observation qualifies when its instrument kind matches, its total reaches
    ``min_total``, no domain is below ``min_domain`` (None: no floor), the observer was
    calibrated on the meeting date (if ``calibrated_only``) and the observer is not the
    practitioner. Consecutive chosen observations are at least ``min_spacing_days``
    apart; with ``require_independent_observer`` at least one chosen observer is not
    the coach assigned to the practitioner on that observation's date.
    """

    type: Literal["qualifying_observations"] = "qualifying_observations"
    instrument_kind: InstrumentKind
    min_count: int = Field(default=2, ge=1, le=1000)
    min_total: Percent = 80
    min_domain: Percent | None = 65
    window_days: Days = 180
    min_spacing_days: Days = 30
    calibrated_only: bool = True
    require_independent_observer: bool = True


class Tenure(_Data):
    """At least ``min_days`` since the program start of the current enrollment."""

    type: Literal["tenure"] = "tenure"
    min_days: Days = 300


Requirement = Annotated[
    ModulesMasteredInOrder
    | ConceptsNotLapsed
    | MonthlyCoaching
    | SkillRatings
    | QualifyingObservations
    | Tenure,
    Field(discriminator="type"),
]


class AtRiskRules(_Data):
    """Any rule firing puts a certified level at risk; None disables a rule."""

    recent_count: int = Field(default=3, ge=1, le=1000)
    recent_mean_below: Percent | None = 80
    latest_domain_below: Percent | None = 65
    no_qualifying_for_days: Days | None = 270
    concept_lapsed: bool = True
    concept_ids: tuple[str, ...] | None = None  # None: any concept reported


class LapseRules(_Data):
    """Any rule firing lapses a certified or at-risk level; None disables a rule."""

    no_qualifying_for_days: Days | None = 365
    # At least 1: entering at risk and lapsing for it cannot happen on the same day.
    at_risk_for_days: int | None = Field(default=90, ge=1, le=MAX_DAYS)


class Maintenance(_Data):
    """How a granted level is kept: observations of ``instrument_kind`` keep coming.

    Only observations by calibrated observers (not the practitioner) are looked at;
    a *qualifying* one for maintenance has a total of at least ``qualifying_min_total``.
    """

    instrument_kind: InstrumentKind = "team_meeting"
    qualifying_min_total: Percent = 80
    at_risk: AtRiskRules = AtRiskRules()
    lapse: LapseRules = LapseRules()


class ObservationRules(_Data):
    """Which fidelity observations a policy counts at all, for every level and rule.

    ``count_imported_paper``: observations imported from historical paper forms carry
    domain and total scores but no indicator ratings, so they cannot be re-scored or
    compared between raters. True by default: they were scored on the same
    instrument, the calibrated-observer rule still applies to them, an agency
    adopting the system keeps the competence its records show, and every policy
    written before the field existed keeps its meaning. An agency that trusts only
    indicator-level evidence adopts a version with false.
    """

    count_imported_paper: bool = True


class Level(_Data):
    """One certification level; ``requires_level`` names an earlier level it builds on."""

    key: str = Field(min_length=1)
    title: str = Field(min_length=1)
    requires_level: str | None = None
    requires: tuple[Requirement, ...] = ()
    maintenance: Maintenance | None = None


class Policy(_Data):
    """A versioned certification policy; levels are evaluated in list order."""

    id: str = Field(min_length=1)
    version: int = Field(ge=1)
    title: str = ""
    levels: tuple[Level, ...] = Field(min_length=1)
    observations: ObservationRules = ObservationRules()

    @model_validator(mode="after")
    def _levels_are_well_formed(self) -> Policy:
        seen: set[str] = set()
        for level in self.levels:
            if level.key in seen:
                raise ValueError(f"level {level.key!r} appears twice")
            # An earlier level only: evaluation walks the list once, prerequisites first.
            if level.requires_level is not None and level.requires_level not in seen:
                raise ValueError(
                    f"level {level.key!r} requires {level.requires_level!r}, "
                    "which is not an earlier level of this policy"
                )
            if not level.requires and level.requires_level is None:
                raise ValueError(f"level {level.key!r} has no requirement at all")
            seen.add(level.key)
        return self

    def level(self, key: str) -> Level:
        for level in self.levels:
            if level.key == key:
                return level
        raise KeyError(key)
