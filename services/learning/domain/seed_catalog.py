"""Seed data: the MiiWrap competency framework and six core modules, catalog 2026.1.

Content follows the National Wraparound Initiative's ten principles and four phases.
Ids are stable across catalog versions — events, cards and LMS activity mappings
refer to them — so a later version may reword a concept but must not reuse its id
for a different idea.
"""

from __future__ import annotations

from services.learning.domain.catalog import (
    Assessment,
    Catalog,
    Competency,
    Concept,
    Module,
    WraparoundPhase,
)

SEED_CATALOG_VERSION = "2026.1"

_P = WraparoundPhase

COMPETENCIES = (
    Competency(id="ENG", name="Engagement and team preparation", phase=_P.ENGAGEMENT),
    Competency(id="STR", name="Strengths and culture discovery", phase=_P.ENGAGEMENT),
    Competency(id="FAC", name="Team meeting facilitation", phase=_P.PLAN_DEVELOPMENT),
    Competency(id="NEED", name="Needs-based planning and family vision", phase=_P.PLAN_DEVELOPMENT),
    Competency(id="SAFE", name="Safety and crisis planning", phase=_P.PLAN_DEVELOPMENT),
    Competency(id="NAT", name="Natural and community supports", phase=_P.IMPLEMENTATION),
    Competency(id="MON", name="Progress monitoring and plan adjustment", phase=_P.IMPLEMENTATION),
    Competency(id="TRAN", name="Transition planning", phase=_P.TRANSITION),
)


def _concept(concept_id: str, competency_id: str, title: str, description: str) -> Concept:
    return Concept(id=concept_id, competency_id=competency_id, title=title, description=description)


def _module(order: int, title: str, competency_ids: tuple[str, ...], *concepts: Concept) -> Module:
    module_id = f"M{order}"
    return Module(
        id=module_id,
        order=order,
        title=title,
        competency_ids=competency_ids,
        concepts=concepts,
        assessment=Assessment(id=f"{module_id}.A"),
    )


MODULES = (
    _module(
        1,
        "Wraparound principles and engagement",
        ("ENG",),
        _concept(
            "M1.C1",
            "ENG",
            "The ten principles of Wraparound",
            "Family voice and choice, team based, natural supports, collaboration, "
            "community based, culturally competent, individualized, strengths based, "
            "persistence and outcome based: the values every activity is checked against.",
        ),
        _concept(
            "M1.C2",
            "ENG",
            "The four phases of Wraparound",
            "Engagement and team preparation, initial plan development, implementation "
            "and transition, each with its own activities and products.",
        ),
        _concept(
            "M1.C3",
            "ENG",
            "Family voice and choice",
            "The family's and youth's perspectives are sought first and given priority in "
            "every decision, so the plan reflects their values rather than the system's.",
        ),
        _concept(
            "M1.C4",
            "ENG",
            "Orienting the family to Wraparound",
            "The facilitator explains the process and its roles in plain language, "
            "addresses pressing concerns and obtains the family's agreement to proceed.",
        ),
        _concept(
            "M1.C5",
            "ENG",
            "Building the child and family team",
            "The family chooses who joins the team (relatives, friends, providers) and "
            "each member is oriented to their role before the first meeting.",
        ),
    ),
    _module(
        2,
        "Strengths, culture and vision",
        ("STR", "NEED"),
        _concept(
            "M2.C1",
            "STR",
            "Strengths discovery conversation",
            "A conversation, not a checklist, that uncovers the functional strengths of "
            "youth, family and team members that later strategies build on.",
        ),
        _concept(
            "M2.C2",
            "STR",
            "Culture discovery",
            "Learning the family's traditions, beliefs, language and community ties so "
            "that the plan fits how the family lives and makes decisions.",
        ),
        _concept(
            "M2.C3",
            "STR",
            "The family story",
            "The family's history in their own words, including the youth's view, "
            "summarised and checked back with them before it is shared with the team.",
        ),
        _concept(
            "M2.C4",
            "NEED",
            "Family vision statement",
            "A short statement, in the family's own words, of what life will look like "
            "when things are better; it anchors every need and goal in the plan.",
        ),
        _concept(
            "M2.C5",
            "NEED",
            "Team mission statement",
            "The team's shared statement of what it will work toward together, derived "
            "from the family vision and agreed at the first plan meeting.",
        ),
    ),
    _module(
        3,
        "Facilitating team meetings",
        ("FAC",),
        _concept(
            "M3.C1",
            "FAC",
            "A structured meeting agenda",
            "Each meeting follows a predictable flow (strengths, vision and mission, "
            "progress, needs, brainstorming, action steps) shared with the team ahead.",
        ),
        _concept(
            "M3.C2",
            "FAC",
            "Ground rules",
            "Norms the team agrees at its first meeting, such as strengths-based language "
            "and confidentiality, that the facilitator returns to when discussion drifts.",
        ),
        _concept(
            "M3.C3",
            "FAC",
            "Brainstorming strategies",
            "For each need the team generates several options, natural and formal, "
            "before the family chooses, instead of defaulting to one available service.",
        ),
        _concept(
            "M3.C4",
            "FAC",
            "Consensus and conflict",
            "The facilitator seeks decisions every member can support, surfaces "
            "disagreement openly and reframes it around the family's vision.",
        ),
        _concept(
            "M3.C5",
            "FAC",
            "Action steps and follow-up",
            "Every meeting ends with who will do what by when, recorded, distributed "
            "and checked at the next meeting.",
        ),
    ),
    _module(
        4,
        "Needs-based planning and safety",
        ("NEED", "SAFE"),
        _concept(
            "M4.C1",
            "NEED",
            "Needs versus services",
            "A need is the underlying reason a situation occurs (e.g. to feel safe at "
            "home); a service is one way to meet it, so plans are written around needs.",
        ),
        _concept(
            "M4.C2",
            "NEED",
            "Prioritising needs",
            "The team works on a few needs at a time, the family's priorities first, "
            "so that the plan stays achievable.",
        ),
        _concept(
            "M4.C3",
            "NEED",
            "Measurable outcomes",
            "Each prioritised need gets an outcome statement and an agreed way to tell "
            "whether it is being met.",
        ),
        _concept(
            "M4.C4",
            "SAFE",
            "Crisis plan versus safety plan",
            "A safety plan prevents a known risk through daily routines and supports; a "
            "crisis plan says who does what, step by step, when a crisis happens anyway.",
        ),
        _concept(
            "M4.C5",
            "SAFE",
            "Crisis history and triggers",
            "Reviewing past crises for triggers, early warning signs and what helped, so "
            "that the safety plan targets the situations that actually lead to harm.",
        ),
    ),
    _module(
        5,
        "Natural supports and monitoring",
        ("NAT", "MON"),
        _concept(
            "M5.C1",
            "NAT",
            "Natural supports mapping",
            "Mapping (e.g. with an ecomap) relatives, friends and neighbours to find "
            "people who can take roles in the plan and stay after formal services end.",
        ),
        _concept(
            "M5.C2",
            "NAT",
            "Community-based strategies",
            "Preferring resources in the family's own community (faith groups, clubs, "
            "schools, peers) over out-of-home or specialised services when they fit.",
        ),
        _concept(
            "M5.C3",
            "MON",
            "Progress indicators",
            "Concrete indicators for each outcome, tracked regularly and reviewed at "
            "every team meeting, show whether strategies are working.",
        ),
        _concept(
            "M5.C4",
            "MON",
            "Adjusting the plan",
            "When indicators show no progress the team revisits the need and tries new "
            "strategies: persistence means changing the plan, never blaming the family.",
        ),
        _concept(
            "M5.C5",
            "MON",
            "Celebrating success",
            "Progress, however small, is named and celebrated at meetings, reinforcing "
            "the family's confidence and the team's commitment.",
        ),
    ),
    _module(
        6,
        "Transition",
        ("TRAN",),
        _concept(
            "M6.C1",
            "TRAN",
            "Transition readiness",
            "Readiness is judged from evidence (needs met, progress toward the vision, "
            "natural supports in place) and planned with the family from the start.",
        ),
        _concept(
            "M6.C2",
            "TRAN",
            "Post-Wraparound plan",
            "Which supports continue, whom the family calls, and a crisis plan that "
            "natural supports can carry out without the formal team.",
        ),
        _concept(
            "M6.C3",
            "TRAN",
            "Commencement",
            "A purposeful ending that celebrates the family's accomplishments and "
            "documents their story, so that transition marks success rather than loss.",
        ),
        _concept(
            "M6.C4",
            "TRAN",
            "Post-transition check-ins",
            "Agreed follow-up contacts after formal transition confirm the family is "
            "coping and reconnect them quickly if new needs arise.",
        ),
    ),
)

SEED_CATALOG = Catalog(version=SEED_CATALOG_VERSION, competencies=COMPETENCIES, modules=MODULES)
"""The default catalog every agency starts from."""
