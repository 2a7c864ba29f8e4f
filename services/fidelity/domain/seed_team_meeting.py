"""Seed: the Team Meeting Observation Tool, version 1.

Observes a practitioner facilitating a child-and-family team meeting. Its seven
domains follow the concerns of Wraparound's Team Observation Measure, and each item
is tagged with the Wraparound principles it gives evidence of. Indicators are
written as behaviour an observer can see or hear in the meeting, so that two
observers can agree on them. Ids read ``TM.<DOMAIN>.<item>.<letter>``.
"""

from __future__ import annotations

from services.fidelity.domain.instruments import (
    Domain,
    Instrument,
    InstrumentKind,
    Principle,
    lettered_item,
)

P = Principle

TEAM_MEETING_OBSERVATION = Instrument(
    key="team-meeting-observation",
    version=1,
    title="Team Meeting Observation Tool",
    kind=InstrumentKind.TEAM_MEETING,
    domains=(
        Domain(
            id="TM.ENG",
            title="Team membership and engagement",
            items=(
                lettered_item(
                    "TM.ENG.1",
                    "Team membership and attendance",
                    (P.TEAM_BASED, P.COLLABORATION),
                    "The caregiver(s) attend the meeting.",
                    "The youth attends, or the youth's views are shared by someone they chose.",
                    "Providers and system partners with a role in the plan attend "
                    "or their written input is shared.",
                ),
                lettered_item(
                    "TM.ENG.2",
                    "Meeting structure",
                    (P.TEAM_BASED,),
                    "The facilitator reviews the purpose and agenda at the start.",
                    "Team ground rules are reviewed or referred to.",
                    "The meeting starts and ends within the time the team agreed.",
                ),
                lettered_item(
                    "TM.ENG.3",
                    "Balanced participation",
                    (P.TEAM_BASED, P.COLLABORATION),
                    "Every team member present contributes to the discussion.",
                    "The facilitator invites quieter members to speak.",
                    "Disagreements are named and worked through rather than dropped.",
                ),
            ),
        ),
        Domain(
            id="TM.FVC",
            title="Family and youth voice and choice",
            items=(
                lettered_item(
                    "TM.FVC.1",
                    "Family perspective leads",
                    (P.FAMILY_VOICE_AND_CHOICE,),
                    "The family's view is asked for first on each agenda topic.",
                    "Family members describe their priorities in their own words.",
                    "Professional jargon and acronyms are avoided or explained.",
                ),
                lettered_item(
                    "TM.FVC.2",
                    "Family choice in decisions",
                    (P.FAMILY_VOICE_AND_CHOICE, P.COLLABORATION),
                    "Options are laid out for the family before a decision is made.",
                    "The family's preference decides between the options.",
                    "The facilitator checks that the family agrees with each decision.",
                ),
                lettered_item(
                    "TM.FVC.3",
                    "Youth voice",
                    (P.FAMILY_VOICE_AND_CHOICE,),
                    "The youth is asked for their ideas in a way suited to their age.",
                    "At least one of the youth's ideas is taken into the plan.",
                ),
            ),
        ),
        Domain(
            id="TM.STR",
            title="Strengths and culture",
            items=(
                lettered_item(
                    "TM.STR.1",
                    "Strengths reviewed",
                    (P.STRENGTHS_BASED,),
                    "The team reviews the family's strengths list.",
                    "New strengths that come up are added to the list.",
                    "Strengths of the youth, the caregivers and other team members are named.",
                ),
                lettered_item(
                    "TM.STR.2",
                    "Strengths used in planning",
                    (P.STRENGTHS_BASED, P.INDIVIDUALIZED),
                    "At least one strategy is built explicitly on a named strength.",
                    "Difficulties are described as unmet needs, not as deficits of the family.",
                ),
                lettered_item(
                    "TM.STR.3",
                    "Culture and language",
                    (P.CULTURALLY_COMPETENT,),
                    "The family's culture, values or traditions are discussed "
                    "where they bear on the plan.",
                    "Strategies fit the family's language, beliefs and customs.",
                    "An interpreter or culturally matched support takes part when the "
                    "family needs one.",
                ),
            ),
        ),
        Domain(
            id="TM.NEED",
            title="Vision and needs-based planning",
            items=(
                lettered_item(
                    "TM.NEED.1",
                    "Family vision and team mission",
                    (P.FAMILY_VOICE_AND_CHOICE, P.OUTCOME_BASED),
                    "The family's vision statement is referred to.",
                    "The team mission statement is reviewed or referred to.",
                ),
                lettered_item(
                    "TM.NEED.2",
                    "Needs-based planning",
                    (P.INDIVIDUALIZED,),
                    "Priority needs are stated as underlying needs, not as services.",
                    "Each priority need is linked to the family vision or team mission.",
                    "The team brainstorms several options before choosing strategies.",
                ),
                lettered_item(
                    "TM.NEED.3",
                    "Individualized strategies",
                    (P.INDIVIDUALIZED, P.COMMUNITY_BASED),
                    "Strategies include individualized or creative supports, not only "
                    "standard program services.",
                    "A strategy that is not working is changed rather than repeated.",
                ),
            ),
        ),
        Domain(
            id="TM.SAFE",
            title="Safety, crisis and unconditional care",
            items=(
                lettered_item(
                    "TM.SAFE.1",
                    "Crisis and safety plan",
                    (P.OUTCOME_BASED, P.TEAM_BASED),
                    "The crisis/safety plan is reviewed.",
                    "Any crisis or incident since the last meeting is debriefed.",
                    "The safety plan is updated for changes in risk, triggers or who responds.",
                ),
                lettered_item(
                    "TM.SAFE.2",
                    "Unconditional commitment",
                    (P.UNCONDITIONAL, P.COMMUNITY_BASED),
                    "Setbacks are treated as information for changing the plan, "
                    "not as the family's failure.",
                    "No one threatens discharge or loss of services because of setbacks.",
                    "Community-based options are considered before any out-of-home "
                    "or more restrictive option.",
                ),
            ),
        ),
        Domain(
            id="TM.NAT",
            title="Natural and community supports",
            items=(
                lettered_item(
                    "TM.NAT.1",
                    "Natural supports involved",
                    (P.NATURAL_SUPPORTS, P.TEAM_BASED),
                    "Natural supports are present or their input is represented.",
                    "The facilitator asks who else in the family's network could help.",
                ),
                lettered_item(
                    "TM.NAT.2",
                    "Natural and community supports in the plan",
                    (P.NATURAL_SUPPORTS, P.COMMUNITY_BASED),
                    "At least one action step is owned by a natural support.",
                    "Community resources (faith, recreation, neighbourhood) are considered.",
                ),
                lettered_item(
                    "TM.NAT.3",
                    "Community-based practice",
                    (P.COMMUNITY_BASED,),
                    "The meeting is held at a time and place the family chose.",
                    "Services and supports are delivered in the family's own community.",
                ),
            ),
        ),
        Domain(
            id="TM.OUT",
            title="Outcomes and follow-through",
            items=(
                lettered_item(
                    "TM.OUT.1",
                    "Progress monitoring",
                    (P.OUTCOME_BASED,),
                    "Progress on each priority need is reviewed against a measurable indicator.",
                    "Objective information (ratings, attendance, incident counts) is used.",
                    "Successes since the last meeting are named and celebrated.",
                ),
                lettered_item(
                    "TM.OUT.2",
                    "Shared responsibility",
                    (P.COLLABORATION, P.TEAM_BASED),
                    "The plan names who does what by when.",
                    "Tasks are spread across team members, not left to the facilitator "
                    "and the family.",
                    "Action steps from the previous meeting are followed up.",
                ),
                lettered_item(
                    "TM.OUT.3",
                    "Meeting close",
                    (P.TEAM_BASED, P.OUTCOME_BASED),
                    "The meeting ends with a summary of action steps.",
                    "The next meeting date is set.",
                    "The team agrees when the updated plan will be shared with members.",
                ),
            ),
        ),
    ),
)
