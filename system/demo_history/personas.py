"""The demo agency as data: its teams, observers and forty practitioners with a story each.

Every number is a count of days before the seed's anchor day (today, the first time
`make run` seeds), so the history always ends "now". A persona says what happened in
practice (program start, modules and their pace, coaching, skill ratings, observations,
a revocation); `plan.py` turns it into the API calls, and `expect` names the
facilitator status the default policy (DOMAIN.md) gives that history, with `why` in
words. Stories that lead to a state:

- certified: six modules in order and reviewed since, monthly coaching, every core
  skill `independent`, two observations ≥ 80 % ≥ 30 days apart within 180 days of the
  grant, 300 days of tenure; later observations never lower than earlier ones.
- at risk: certified, then one maintenance rule fires within the last 90 days (an
  older at-risk start would have lapsed): the newest qualifying observation turned
  271 days old, the mean of the last three fell under 80 %, a domain of the latest
  fell under 65 %, or a concept lapsed (mastered, then never reviewed: FSRS schedules
  the first review two days after mastery, the lapse comes 30 days past due).
- lapsed: at risk for 90 days. Revoked: certified, then an admin's decision.
- in progress: new starters, people mid-program, and three stalled past tenure.
"""

from __future__ import annotations

from dataclasses import dataclass

TEAMS: dict[str, str] = {  # supervisor → the team's coach
    "sup-amara-okafor": "coach-eli-brooks",
    "sup-ben-castillo": "coach-fatima-haddad",
    "sup-chen-wei": "coach-gus-lindqvist",
    "sup-dolores-reyes": "coach-hana-sato",
}
OBSERVERS: tuple[str, ...] = ("obs-ines-duarte", "obs-jamal-price", "obs-kofi-mensah")
# the observers' yearly calibration on a reference meeting (calibration lasts 12 months)
CALIBRATIONS: tuple[int, ...] = (430, 100)
DEMO_ADMIN = "demo-admin"
# who the tokens `make run` prints are: people of the demo agency's first team
DEMO_IDENTITIES: dict[str, str] = {
    "admin": DEMO_ADMIN,
    "supervisor": "sup-amara-okafor",
    "coach": "coach-eli-brooks",
    "observer": "obs-ines-duarte",
}
# whom the portal's local sign-in page offers (PORTAL_DEMO_IDENTITIES)
SIGN_IN_LABELS: dict[str, tuple[str, str]] = {  # subject → (role, label)
    DEMO_ADMIN: ("admin", "Demo admin, agency admin"),
    "sup-amara-okafor": ("supervisor", "Amara Okafor, supervisor"),
    "coach-eli-brooks": ("coach", "Eli Brooks, coach"),
    "obs-ines-duarte": ("observer", "Ines Duarte, fidelity observer"),
    "emma-schulz": ("practitioner", "Emma Schulz, practitioner"),
}


def portal_identities() -> list[dict[str, object]]:
    """The demo agency's people the portal lets one sign in as, locally."""
    return [
        {"subject": subject, "roles": [role], "label": label}
        for subject, (role, label) in SIGN_IN_LABELS.items()
    ]


@dataclass(frozen=True)
class Observed:
    """A team meeting observation: days ago, the total aimed at, optionally a weak domain."""

    days_ago: int
    total: int
    weak_domain: tuple[str, int] | None = None  # (domain id, its score)


@dataclass(frozen=True)
class Persona:
    id: str
    supervisor: str
    started: int  # program start, days ago
    expect: str  # facilitator status the history leads to
    why: str
    modules: int = 6  # core modules mastered, in order
    pace: int = 30  # days between two masteries (the first 20 days after the start)
    retakes: tuple[str, ...] = ()  # modules failed once before they were mastered
    unreviewed: tuple[str, ...] = ()  # modules whose concepts were never reviewed
    coaching_stops: int = 0  # days ago of the last possible coaching session
    independent_after: int | None = 220  # days after start every core skill is independent
    weak_skills: tuple[str, ...] = ()  # competencies left at with_support
    observations: tuple[Observed, ...] = ()
    revoked: tuple[int, str] | None = None  # (days ago, reason)
    role: str = "facilitator"

    @property
    def coach(self) -> str:
        return TEAMS[self.supervisor]


def _veteran(pid: str, supervisor: str, started: int, *scores: int, **story: object) -> Persona:
    """A certified practitioner: observations 150 and 60 days before tenure, then yearly."""
    tenure = started - 300  # days ago
    totals = scores or (84, 88, 91)
    days = [tenure + 150, tenure + 60, max(tenure - 90, 12)]
    observed = tuple(Observed(d, t) for d, t in zip(days, totals, strict=False))
    values: dict[str, object] = {"expect": "certified", "why": "every requirement met"}
    values.update(story)
    return Persona(pid, supervisor, started, observations=observed, **values)  # type: ignore[arg-type]


A, B, C, D = TEAMS
PERSONAS: tuple[Persona, ...] = (
    # certified: twenty, granted between four months and a few days ago
    _veteran("ava-morales", A, 440, 86, 90, 92),
    _veteran("noah-bennett", A, 425, 84, 86, 90, retakes=("M3",)),
    _veteran("mia-johansson", A, 410),
    _veteran("liam-osei", A, 395, 82, 88, 88),
    _veteran("zoe-tanaka", A, 370, 88, 92, 95, pace=26),
    _veteran("ethan-kowalski", B, 435, 85, 87, 89),
    _veteran("isla-fernandes", B, 400, 90, 90, 93, retakes=("M4",)),
    _veteran("omar-haddad", B, 380),
    _veteran("chloe-dubois", B, 355, 83, 86, 86),
    _veteran("lucas-silva", B, 330, 86, 89),
    _veteran("amelia-nakamura", C, 430, 88, 90, 90),
    _veteran("mateo-rossi", C, 405, 82, 85, 89, retakes=("M2", "M5")),
    _veteran("grace-adeyemi", C, 385, 91, 93, 96),
    _veteran("henry-walsh", C, 360),
    _veteran("sofia-ivanova", C, 325, 84, 90),
    _veteran("jack-murphy", D, 420, 85, 88, 92),
    _veteran("layla-hussein", D, 390, 87, 87, 90),
    _veteran("ruby-campbell", D, 365, 83, 89, 91, retakes=("M6",)),
    _veteran("samuel-okoro", D, 320, 88, 90),
    # certified and drifting: scores falling meeting after meeting (a drift signal)
    Persona(
        "daniel-cohen",
        A,
        400,
        "certified",
        "certified, but fidelity falls meeting after meeting: a drift signal for the coach",
        observations=(Observed(200, 95), Observed(110, 90), Observed(40, 83)),
    ),
    # at risk, each for another reason
    Persona(
        "olivia-grant",
        A,
        440,
        "at_risk",
        "no qualifying observation for more than 270 days",
        observations=(Observed(318, 88), Observed(285, 90)),
    ),
    Persona(
        "william-tran",
        B,
        430,
        "at_risk",
        "mean of the last three observations below 80 %",
        observations=(
            Observed(300, 86),
            Observed(250, 88),
            Observed(160, 85),
            Observed(70, 76),
            Observed(25, 70),
        ),
    ),
    Persona(
        "emma-schulz",
        C,
        420,
        "at_risk",
        "safety planning domain under 65 % in the latest observation",
        observations=(Observed(270, 86), Observed(200, 88), Observed(18, 86, ("TM.SAFE", 50))),
    ),
    Persona(
        "james-obi",
        D,
        430,
        "at_risk",
        "module 6 concepts lapsed: mastered two months ago, never reviewed since",
        pace=72,
        unreviewed=("M6",),
        observations=(Observed(250, 87), Observed(170, 89), Observed(100, 90)),
    ),
    Persona(
        "harper-lee",
        C,
        415,
        "at_risk",
        "mean of the last three observations below 80 % after two weak meetings",
        observations=(Observed(260, 84), Observed(190, 86), Observed(60, 74), Observed(30, 72)),
    ),
    # lapsed: at risk since a poor meeting four months ago, never restored within 90 days
    Persona(
        "benjamin-clarke",
        D,
        440,
        "lapsed",
        "at risk for 90 days after a poor observation, so the certification lapsed",
        observations=(Observed(280, 88), Observed(200, 86), Observed(120, 62)),
    ),
    # revoked by the agency's admin
    Persona(
        "charlotte-king",
        B,
        410,
        "revoked",
        "revoked by the agency admin",
        revoked=(20, "observation records found misreported (HR review 2026-117)"),
        observations=(Observed(260, 88), Observed(170, 90), Observed(60, 91)),
    ),
    # stalled past tenure: one requirement missing
    Persona(
        "elijah-ward",
        A,
        380,
        "in_progress",
        "no coaching session for months: coaching in fewer than 9 of the last 12 months",
        coaching_stops=230,
        observations=(Observed(150, 86), Observed(90, 88)),
    ),
    Persona(
        "aria-patel",
        B,
        350,
        "in_progress",
        "facilitation and needs-based planning still rated with support",
        weak_skills=("FAC", "NEED"),
        observations=(Observed(120, 85), Observed(60, 87)),
    ),
    Persona(
        "leo-nguyen",
        C,
        335,
        "in_progress",
        "only one observation at 80 % or more (the other scored 74 %)",
        observations=(Observed(110, 74), Observed(50, 86)),
    ),
    # mid-program: tenure not reached yet
    Persona(
        "nora-jensen",
        A,
        270,
        "in_progress",
        "tenure of 300 days not reached yet",
        observations=(Observed(45, 82),),
    ),
    Persona(
        "caleb-moreau",
        B,
        240,
        "in_progress",
        "module 6 not mastered yet",
        modules=5,
        independent_after=None,
    ),
    Persona(
        "hannah-lindgren",
        C,
        210,
        "in_progress",
        "modules 5 and 6 ahead",
        modules=4,
        retakes=("M3",),
        independent_after=None,
    ),
    Persona(
        "isaac-mwangi",
        D,
        190,
        "in_progress",
        "modules 5 and 6 ahead",
        modules=4,
        independent_after=None,
    ),
    Persona(
        "stella-romero",
        D,
        160,
        "in_progress",
        "three modules mastered",
        modules=3,
        independent_after=None,
    ),
    # new starters
    Persona(
        "ezra-hoffman",
        A,
        110,
        "in_progress",
        "new starter: two modules mastered",
        modules=2,
        independent_after=None,
    ),
    Persona(
        "lily-chen",
        B,
        80,
        "in_progress",
        "new starter: module 1 mastered",
        modules=1,
        independent_after=None,
    ),
    Persona(
        "owen-fitzgerald",
        C,
        55,
        "in_progress",
        "new starter: module 1 mastered",
        modules=1,
        independent_after=None,
    ),
    Persona(
        "maya-singh",
        D,
        30,
        "in_progress",
        "new starter: first month",
        modules=0,
        independent_after=None,
    ),
    Persona(
        "theo-baptiste",
        D,
        12,
        "in_progress",
        "started this month",
        modules=0,
        independent_after=None,
    ),
)
