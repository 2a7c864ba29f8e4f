"""Seeded random practitioner histories and policies, for pinning what the fold answers.

Every case is a history (modules, concept reviews, coaching, ratings, observations of
both kinds by coaches, independent observers and the practitioner, calibrations decided
later, roster changes, leaving and returning, revocations and reinstatements), a policy
out of a few that exercise every rule switch, and the dates it is folded as of. A case
with ``retracted`` set also folds the history with some items withdrawn, the way a
retraction removes evidence. ``random.Random(seed)`` makes each case reproducible.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from services.certification.domain.calibrations import Calibration, decide_calibrations
from services.certification.domain.evaluate import evaluate, fold_timeline
from services.certification.domain.evidence import Evidence, EvidenceSet
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
from services.certification.domain.schedule import next_change_on
from services.certification.domain.seed_policies import COACH, CORE_MODULE_IDS, DEFAULT_POLICY
from services.certification.domain.vocabulary import (
    CORE_COMPETENCIES,
    CoachingComponent,
    SkillLevel,
)
from services.certification.models.certification import state_json
from tests.certification.unit.certification_builders import (
    COACH as COACH_ID,
)
from tests.certification.unit.certification_builders import (
    DOMAINS,
    INDEPENDENT_OBSERVER,
    PractitionerHistory,
)

START = date(2024, 11, 1)
SPAN_DAYS = 1000
COMPONENTS: tuple[CoachingComponent, ...] = (
    "observation",
    "modeling",
    "practice",
    "feedback",
    "reflection",
)
CASES = 300  # histories, each folded whole and with some items retracted
OBSERVERS = (COACH_ID, INDEPENDENT_OBSERVER, "observer-7", "coach-2")

STRICT_POLICY = Policy(
    id="strict",
    version=3,
    levels=(
        Level(
            key="facilitator",
            title="Facilitator",
            requires=(
                ModulesMasteredInOrder(module_ids=("M1", "M2", "M3")),
                ConceptsNotLapsed(concept_ids=("C1", "C2")),
                MonthlyCoaching(min_months=3, window_months=6),
                SkillRatings(competencies=("ENG", "STR"), min_level=SkillLevel.WITH_SUPPORT),
                QualifyingObservations(
                    instrument_kind="team_meeting",
                    min_count=3,
                    min_total=75,
                    min_domain=None,
                    window_days=240,
                    min_spacing_days=14,
                    calibrated_only=False,
                    require_independent_observer=False,
                ),
                Tenure(min_days=120),
            ),
            maintenance=Maintenance(
                qualifying_min_total=75,
                at_risk=AtRiskRules(
                    recent_count=2,
                    recent_mean_below=None,
                    latest_domain_below=None,
                    no_qualifying_for_days=120,
                    concept_lapsed=True,
                    concept_ids=("C1", "C3"),
                ),
                lapse=LapseRules(no_qualifying_for_days=None, at_risk_for_days=30),
            ),
        ),
        COACH.model_copy(update={"maintenance": None}),
        Level(
            key="mentor",
            title="Mentor",
            requires_level="coach",
            requires=(Tenure(min_days=500),),
            maintenance=Maintenance(
                instrument_kind="coaching",
                at_risk=AtRiskRules(concept_lapsed=False),
                lapse=LapseRules(no_qualifying_for_days=200, at_risk_for_days=None),
            ),
        ),
    ),
    observations=ObservationRules(count_imported_paper=False),
)
PAPER_SHY_POLICY = DEFAULT_POLICY.model_copy(
    update={"id": "paper-shy", "observations": ObservationRules(count_imported_paper=False)}
)
TOUGH_POLICY = Policy(
    id="tough",
    version=2,
    levels=(
        DEFAULT_POLICY.levels[0].model_copy(
            update={
                "maintenance": Maintenance(
                    qualifying_min_total=88,
                    at_risk=AtRiskRules(recent_count=1, recent_mean_below=90),
                    lapse=LapseRules(no_qualifying_for_days=180, at_risk_for_days=20),
                )
            }
        ),
    ),
)
SCOPED_POLICY = Policy(
    id="scoped",
    version=1,
    levels=(
        Level(
            key="facilitator",
            title="Facilitator",
            requires=(
                ConceptsNotLapsed(concept_ids=("C2", "C4")),
                MonthlyCoaching(
                    min_months=2, window_months=4, required_components=frozenset({"practice"})
                ),
                SkillRatings(competencies=("ENG", "SAFE"), min_level=SkillLevel.WITH_SUPPORT),
                QualifyingObservations(
                    instrument_kind="coaching",
                    min_count=1,
                    min_domain=None,
                    window_days=120,
                    min_spacing_days=0,
                    calibrated_only=False,
                ),
                ModulesMasteredInOrder(module_ids=("M1", "M3")),
            ),
            maintenance=Maintenance(
                instrument_kind="coaching",
                qualifying_min_total=90,
                at_risk=AtRiskRules(recent_count=1, concept_ids=("C1",)),
                lapse=LapseRules(no_qualifying_for_days=60, at_risk_for_days=1),
            ),
        ),
        Level(key="lead", title="Lead", requires_level="facilitator"),
    ),
)
POLICIES = (DEFAULT_POLICY, PAPER_SHY_POLICY, STRICT_POLICY, TOUGH_POLICY, SCOPED_POLICY)


@dataclass(frozen=True)
class Case:
    name: str
    policy: Policy
    evidence: EvidenceSet
    as_of: tuple[date, ...]


def _day(rng: random.Random, first: int = 0, last: int = SPAN_DAYS) -> date:
    return START + timedelta(days=rng.randint(first, last))


def _history(rng: random.Random) -> PractitionerHistory:
    if rng.random() < 0.5:
        history = PractitionerHistory.certified_facilitator()
    else:
        history = PractitionerHistory().enrolled(
            _day(rng, 0, 90), coach_id=rng.choice((COACH_ID, None))
        )
        first = _day(rng, 30, 200)
        history.all_modules_mastered(first, every_days=rng.choice((0, 7, 28, 37)))
        coached_from = _day(rng, 40, 120).replace(day=rng.randint(1, 28))
        history.monthly_coaching(coached_from, months=rng.randint(3, 14))
        history.all_rated(rng.choice((*SkillLevel, SkillLevel.INDEPENDENT)), _day(rng, 150, 400))
    for _ in range(rng.randint(0, 4)):
        history.mastered(rng.choice(CORE_MODULE_IDS), _day(rng))
    for _ in range(rng.randint(0, 8)):
        concept, lapsed = f"C{rng.randint(1, 4)}", _day(rng)
        history.concept_lapsed(concept, lapsed)
        if rng.random() < 0.8:
            history.concept_restored(concept, lapsed + timedelta(days=rng.randint(0, 90)))
    for _ in range(rng.randint(0, 20)):
        parts = rng.sample(COMPONENTS, rng.randint(1, 4))
        history.coached(_day(rng), parts)
    for _ in range(rng.randint(0, 6)):
        level = rng.choice((*SkillLevel, SkillLevel.INDEPENDENT, SkillLevel.CAN_TEACH))
        history.rated(rng.choice(CORE_COMPETENCIES), level, _day(rng))
    _observations(rng, history)
    _roster(rng, history)
    _admin(rng, history)
    return history


def _observations(rng: random.Random, history: PractitionerHistory) -> None:
    for kind in ("team_meeting", "coaching"):  # a stream of practice, now and then weak
        if rng.random() < 0.75:
            day = _day(rng, 100, 500)
            for _ in range(rng.randint(2, 14)):
                _observed(rng, history, day, kind, weak=rng.random() < 0.2)
                day += timedelta(days=rng.randint(1, 70))
    for _ in range(rng.randint(0, 8)):
        _observed(rng, history, _day(rng, 100), rng.choice(("team_meeting", "coaching")), True)


def _observed(
    rng: random.Random, history: PractitionerHistory, on: date, kind: str, weak: bool
) -> None:
    total = float(rng.randint(55, 99) if weak else rng.randint(78, 99))
    domains = {d: float(rng.randint(50 if weak else 63, 100)) for d in DOMAINS}
    history.observed(
        on,
        total=total if rng.random() < 0.8 else total + 0.5,
        domains=domains if rng.random() < 0.6 else None,
        observer=rng.choice((*OBSERVERS, history.practitioner_id) if weak else OBSERVERS),
        calibrated=rng.random() < (0.6 if weak else 0.95),
        kind="coaching" if kind == "coaching" else "team_meeting",
        imported=rng.random() < 0.15,
    )


def _roster(rng: random.Random, history: PractitionerHistory) -> None:
    if rng.random() < 0.3:
        history.coach_assigned(rng.choice(OBSERVERS), _day(rng))
    if rng.random() < 0.25:
        fields = rng.choice((("coach_id",), ("program_start",), ("role", "coach_id")))
        history.roster_changed(
            _day(rng),
            *fields,
            coach_id=rng.choice((COACH_ID, "observer-7", None)),
            program_start=_day(rng, 0, 400),
        )
    if rng.random() < 0.2:
        left = _day(rng, 200)
        history.left(left)
        if rng.random() < 0.6:
            history.returned(left + timedelta(days=rng.randint(1, 200)))


def _admin(rng: random.Random, history: PractitionerHistory) -> None:
    for _ in range(rng.choice((0, 0, 1, 2))):
        level = rng.choice((None, "facilitator", "coach"))
        on = _day(rng, 250)
        history.revoked(on, level=level)
        if rng.random() < 0.7:
            later = on + timedelta(days=rng.randint(0, 120))
            history.reinstated(later, level=rng.choice((level, level, None, "facilitator")))


def _calibrations(rng: random.Random) -> list[Calibration]:
    found = []
    for n in range(rng.randint(0, 3)):
        valid_from = _day(rng, 0, 500)
        found.append(
            Calibration(
                attempt_id=f"cal-{n}",
                observer_id=rng.choice(OBSERVERS),
                instrument_key=rng.choice(("team-meeting-observation", "coaching-observation")),
                valid_from=valid_from,
                valid_until=valid_from + timedelta(days=rng.randint(30, 400)),
            )
        )
    return found


def random_history(seed: int) -> tuple[Policy, list[Evidence]]:
    """The history, its calibrations decided, and the policy of case ``seed``."""
    rng = random.Random(seed)
    history = _history(rng)
    return POLICIES[seed % len(POLICIES)], decide_calibrations(history.items, _calibrations(rng))


def cases(count: int) -> Iterator[Case]:
    """``count`` cases; each history is also folded with some items retracted."""
    for seed in range(count):
        rng = random.Random(seed)
        history = _history(rng)
        items = decide_calibrations(history.items, _calibrations(rng))
        policy = POLICIES[seed % len(POLICIES)]
        as_of = tuple(sorted({_day(rng, 150, SPAN_DAYS + 200) for _ in range(3)}))
        pid = history.practitioner_id
        yield Case(f"{seed}", policy, EvidenceSet(pid, items), as_of)
        kept = [item for item in items if rng.random() > 0.15]
        yield Case(f"{seed}-retracted", policy, EvidenceSet(pid, kept), as_of[-1:])


def digests(count: int) -> dict[str, str]:
    """Each case's ``fold_digest`` per date, keyed ``name@date``."""
    return {
        f"{case.name}@{on}": fold_digest(case, on) for case in cases(count) for on in case.as_of
    }


def fold_digest(case: Case, on: date) -> str:
    """What the fold answers for ``case`` on ``on``: the public body, every level's
    transitions with their reasons, and the next day time alone may change a status,
    asked both with the shared timeline and without it."""
    timeline = fold_timeline(case.policy, case.evidence, on)
    state = evaluate(case.policy, case.evidence, on, timeline=timeline)
    follows = next_change_on(case.policy, case.evidence, state, timeline=timeline)
    alone = evaluate(case.policy, case.evidence, on)
    assert alone == state, "a fold without a shared timeline answers differently"
    assert next_change_on(case.policy, case.evidence, alone) == follows
    text = f"{state_json(state)}\n{state.model_dump_json()}\n{follows}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


if __name__ == "__main__":  # pins the fold's current answers (fold_golden.json)
    print(json.dumps(digests(CASES), indent=0, sort_keys=True))
