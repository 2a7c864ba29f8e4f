"""A certification level's criteria and evidence in words, for its portable credential.

An Open Badges achievement carries its criteria as a narrative a reader outside the
agency understands; they are written from the policy version's data, so a credential
says what the level required when it was issued. The evidence summary names, per
requirement met, what kind of evidence showed it and when: never an id, never a note.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from services.certification.domain.evidence import EvidenceSet
from services.certification.domain.policy import (
    ConceptsNotLapsed,
    Level,
    ModulesMasteredInOrder,
    MonthlyCoaching,
    Policy,
    QualifyingObservations,
    Requirement,
    SkillRatings,
    Tenure,
)
from services.certification.domain.state import RequirementResult
from services.certification.domain.vocabulary import INSTRUMENT_NAMES

EVIDENCE_KINDS: dict[str, str] = {
    "module_mastered": "module mastery",
    "concept_lapsed": "concept review",
    "concept_restored": "concept review",
    "coaching_session_held": "coaching session",
    "skill_rated": "skill rating",
    "observation_recorded": "fidelity observation",
    "practitioner_enrolled": "program enrollment",
    "roster_details_changed": "program enrollment",
    "coach_assigned": "coach assignment",
}


def requirement_in_words(requirement: Requirement) -> str:
    """One sentence a reader outside the agency understands."""
    match requirement:
        case ModulesMasteredInOrder(module_ids=modules):
            listed = ", ".join(modules)
            return f"Mastered the modules {listed}, each no earlier than the one before."
        case ConceptsNotLapsed():
            return "No core concept lapsed in spaced review at the time of certification."
        case MonthlyCoaching() as rule:
            parts = " and ".join(sorted(rule.required_components))
            return (
                f"Coaching sessions with {parts} in at least {rule.min_months} of the last "
                f"{rule.window_months} calendar months."
            )
        case SkillRatings() as rule:
            wanted = rule.min_level.value.replace("_", " ")
            return f"Rated {wanted} or higher on {', '.join(rule.competencies)}."
        case QualifyingObservations() as rule:
            floor = f", no domain below {rule.min_domain:g}%" if rule.min_domain else ""
            who = " by calibrated observers" if rule.calibrated_only else ""
            independent = (
                ", at least one by an observer other than the practitioner's coach"
                if rule.require_independent_observer
                else ""
            )
            return (
                f"At least {rule.min_count} {INSTRUMENT_NAMES[rule.instrument_kind]} "
                f"fidelity observations{who} within {rule.window_days} days, "
                f"{rule.min_spacing_days} or more days apart, each scoring at least "
                f"{rule.min_total:g}%{floor}{independent}."
            )
        case Tenure(min_days=days):
            return f"At least {days} days in the program."
    raise AssertionError(f"no wording for {requirement!r}")  # pragma: no cover


def criteria_narrative(policy: Policy, level: Level) -> str:
    """The level's criteria as a Markdown list, with how it is kept."""
    lines = []
    if level.requires_level is not None:
        lines.append(f"Holds the {policy.level(level.requires_level).title} level.")
    lines += [requirement_in_words(r) for r in level.requires]
    narrative = "\n".join(f"- {line}" for line in lines)
    lapse = level.maintenance.lapse if level.maintenance else None
    if lapse is not None and lapse.no_qualifying_for_days is not None:
        narrative += (
            f"\n\nKept by continued practice: the level lapses when no qualifying "
            f"observation is shown for {lapse.no_qualifying_for_days} days."
        )
    return narrative


@dataclass(frozen=True)
class EvidenceSummary:
    """What showed one requirement: its words, the kinds of evidence, the latest date."""

    requirement: str
    kinds: tuple[str, ...]
    count: int
    latest_on: date


def evidence_summary(
    requirements: Sequence[RequirementResult], evidence: EvidenceSet, level: Level
) -> list[EvidenceSummary]:
    """Per requirement met on the grant day, the evidence behind it (no ids, no notes)."""
    wording: dict[str, str] = {r.type: requirement_in_words(r) for r in level.requires}
    summaries = []
    for result in requirements:
        if not result.met:
            continue
        items = [evidence.get(i) for i in result.evidence_ids]
        present = [item for item in items if item is not None]
        if not present:
            continue
        kinds = sorted({EVIDENCE_KINDS.get(i.kind, i.kind.replace("_", " ")) for i in present})
        summaries.append(
            EvidenceSummary(
                requirement=wording.get(result.requirement, result.requirement.replace("_", " ")),
                kinds=tuple(kinds),
                count=len(present),
                latest_on=max(item.occurred_on for item in present),
            )
        )
    return summaries
