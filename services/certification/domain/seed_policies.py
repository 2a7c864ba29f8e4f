"""The default certification policy every agency starts from (DOMAIN.md, version 1).

Modeled on New York State's High-Fidelity Wraparound certification. Every number is
spelled out here, not left to model defaults, so the seed reads as the policy text.
"""

from __future__ import annotations

from services.certification.domain.policy import (
    AtRiskRules,
    ConceptsNotLapsed,
    LapseRules,
    Level,
    Maintenance,
    ModulesMasteredInOrder,
    MonthlyCoaching,
    ObservationRules,
    Policy,
    QualifyingObservations,
    SkillRatings,
    Tenure,
)
from services.certification.domain.vocabulary import CORE_COMPETENCIES, SkillLevel

# The learning catalog's six core modules, in their teaching order.
CORE_MODULE_IDS: tuple[str, ...] = ("M1", "M2", "M3", "M4", "M5", "M6")

FACILITATOR = Level(
    key="facilitator",
    title="MiiWrap Facilitator — Certified",
    requires=(
        ModulesMasteredInOrder(module_ids=CORE_MODULE_IDS),
        # Every concept learning reports belongs to the core catalog, hence None (= all).
        ConceptsNotLapsed(concept_ids=None),
        MonthlyCoaching(
            min_months=9, window_months=12, required_components=frozenset({"practice", "feedback"})
        ),
        SkillRatings(competencies=CORE_COMPETENCIES, min_level=SkillLevel.INDEPENDENT),
        QualifyingObservations(
            instrument_kind="team_meeting",
            min_count=2,
            min_total=80,
            min_domain=65,
            window_days=180,
            min_spacing_days=30,
            calibrated_only=True,
            require_independent_observer=True,
        ),
        Tenure(min_days=300),
    ),
    maintenance=Maintenance(
        instrument_kind="team_meeting",
        qualifying_min_total=80,
        at_risk=AtRiskRules(
            recent_count=3,
            recent_mean_below=80,
            latest_domain_below=65,
            no_qualifying_for_days=270,
            concept_lapsed=True,
            concept_ids=None,
        ),
        lapse=LapseRules(no_qualifying_for_days=365, at_risk_for_days=90),
    ),
)

COACH = Level(
    key="coach",
    title="MiiWrap Coach — Certified",
    requires_level="facilitator",
    requires=(
        QualifyingObservations(
            instrument_kind="coaching",
            min_count=2,
            min_total=80,
            min_domain=None,
            window_days=365,
            # Distinct days: two observers scoring one session (a reliability pair)
            # are one occasion of practice, not two.
            min_spacing_days=1,
            calibrated_only=True,
            require_independent_observer=False,
        ),
    ),
    # DOMAIN.md states maintenance for meeting observations; a coach keeps the level
    # the same way on the coaching tool. A facilitator at risk or lapsed carries the
    # coach level with it (the prerequisite rule in maintenance.py); concept lapses
    # reach the coach level that way, so they are not counted twice here.
    maintenance=Maintenance(
        instrument_kind="coaching",
        qualifying_min_total=80,
        at_risk=AtRiskRules(
            recent_count=3,
            recent_mean_below=80,
            latest_domain_below=65,
            no_qualifying_for_days=270,
            concept_lapsed=False,
        ),
        lapse=LapseRules(no_qualifying_for_days=365, at_risk_for_days=90),
    ),
)

DEFAULT_POLICY = Policy(
    id="miiwrap-default",
    version=1,
    title="MiiWrap certification (default, after NYS High-Fidelity Wraparound)",
    levels=(FACILITATOR, COACH),
    # historical paper observations count (see ObservationRules for why)
    observations=ObservationRules(count_imported_paper=True),
)
