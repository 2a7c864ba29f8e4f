"""Seed: the Coaching Observation Tool, version 1.

Observes a coach coaching a practitioner, along the components of structured
coaching - observation, modeling, practice/role-play, feedback, reflection - plus
the planning and relationship that frame a session. Ids read
``CO.<DOMAIN>.<item>.<letter>``.
"""

from __future__ import annotations

from services.fidelity.domain.instruments import (
    Domain,
    Instrument,
    InstrumentKind,
    lettered_item,
)

COACHING_OBSERVATION = Instrument(
    key="coaching-observation",
    version=1,
    title="Coaching Observation Tool",
    kind=InstrumentKind.COACHING,
    domains=(
        Domain(
            id="CO.PLAN",
            title="Session planning and coaching relationship",
            items=(
                lettered_item(
                    "CO.PLAN.1",
                    "Session focus",
                    (),
                    "Coach and practitioner agree a focus linked to a coaching-plan goal.",
                    "The coach follows up the action step agreed at the previous session.",
                ),
                lettered_item(
                    "CO.PLAN.2",
                    "Collaborative stance",
                    (),
                    "The coach asks for the practitioner's self-assessment before giving "
                    "their own view.",
                    "The coach acknowledges the practitioner's context and pressures.",
                    "The practitioner talks at least as much as the coach.",
                ),
                lettered_item(
                    "CO.PLAN.3",
                    "Time used for skill building",
                    (),
                    "Most of the session is spent on practice skills, not case administration.",
                    "Unrelated issues are parked so the session stays on its focus.",
                ),
            ),
        ),
        Domain(
            id="CO.OBS",
            title="Observation of practice",
            items=(
                lettered_item(
                    "CO.OBS.1",
                    "Grounded in observed practice",
                    (),
                    "The coach refers to specific observed practice (live, recorded, "
                    "or a plan document), not general impressions.",
                    "The observation is tied to a named MiiWrap competency or skill.",
                ),
                lettered_item(
                    "CO.OBS.2",
                    "Behavioural description",
                    (),
                    "The coach describes what the practitioner said or did in concrete terms.",
                    "The coach separates what was observed from their interpretation of it.",
                ),
                lettered_item(
                    "CO.OBS.3",
                    "Use of fidelity and learning data",
                    (),
                    "The coach refers to recent fidelity scores or shaky learning concepts.",
                    "Patterns across several observations are identified.",
                ),
            ),
        ),
        Domain(
            id="CO.MOD",
            title="Modeling",
            items=(
                lettered_item(
                    "CO.MOD.1",
                    "Demonstrates the skill",
                    (),
                    "The coach demonstrates the target skill (for example, turning a "
                    "service request into a need statement).",
                    "The demonstration uses a realistic situation from the practitioner's "
                    "own caseload.",
                ),
                lettered_item(
                    "CO.MOD.2",
                    "Makes the modeling explicit",
                    (),
                    "The coach names what they did and which Wraparound principle it serves.",
                    "The coach checks the practitioner's understanding of the demonstration.",
                ),
            ),
        ),
        Domain(
            id="CO.PRAC",
            title="Practice and role-play",
            items=(
                lettered_item(
                    "CO.PRAC.1",
                    "Rehearsal in session",
                    (),
                    "The practitioner rehearses the skill in role-play or guided practice.",
                    "The practice scenario matches a real situation coming up for the "
                    "practitioner.",
                ),
                lettered_item(
                    "CO.PRAC.2",
                    "Repetition with adjustment",
                    (),
                    "The practitioner practises more than once, using feedback between tries.",
                    "The coach adjusts the difficulty to the practitioner's level.",
                ),
                lettered_item(
                    "CO.PRAC.3",
                    "Safe practice climate",
                    (),
                    "The coach frames practice as learning, not as evaluation.",
                    "The practitioner first tries the approach in their own way.",
                ),
            ),
        ),
        Domain(
            id="CO.FB",
            title="Feedback",
            items=(
                lettered_item(
                    "CO.FB.1",
                    "Specific feedback",
                    (),
                    "Feedback names specific behaviours the practitioner showed.",
                    "Strengths in the practice are named alongside areas to grow.",
                    "Feedback is tied to a fidelity standard or instrument indicator.",
                ),
                lettered_item(
                    "CO.FB.2",
                    "Timely and actionable feedback",
                    (),
                    "Feedback follows the practice immediately.",
                    "The coach offers at least one concrete alternative behaviour.",
                ),
                lettered_item(
                    "CO.FB.3",
                    "Two-way feedback",
                    (),
                    "The coach invites the practitioner's response to the feedback.",
                    "The coach asks for feedback on the coaching itself.",
                ),
            ),
        ),
        Domain(
            id="CO.REF",
            title="Reflection and next steps",
            items=(
                lettered_item(
                    "CO.REF.1",
                    "Guided reflection",
                    (),
                    "The coach asks open questions that prompt reflection on the "
                    "practitioner's own practice.",
                    "The practitioner links their practice to Wraparound principles.",
                    "The practitioner names what they learned in the session.",
                ),
                lettered_item(
                    "CO.REF.2",
                    "Plan for transfer",
                    (),
                    "A next step is agreed for using the skill with a family, with a date.",
                    "Progress on the coaching-plan goal or skill rating is discussed.",
                    "The next coaching session is scheduled.",
                ),
            ),
        ),
    ),
)
