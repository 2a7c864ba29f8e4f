"""On a day that moves no status the replay asks judges and alarms instead of the checkers:
they must decide exactly as the checkers do, on every day of varied histories.

A judge (judges.py) says whether `check_requirement` finds a requirement met; an alarm
(maintenance_alarms.py) whether `check_maintenance` fires an at-risk and a lapse rule.
Both are asked here beside the checkers for seeded random histories (fold_histories.py)
under every policy, on days spread over the whole span, with and without a lapse behind.
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import islice

from services.certification.domain.judges import bind_judge
from services.certification.domain.maintenance import check_maintenance
from services.certification.domain.maintenance_alarms import bind_alarms
from services.certification.domain.requirements import Prerequisite, check_requirement
from services.certification.domain.timeline import Timeline
from services.certification.domain.transitions import CertificationStatus
from tests.certification.unit.fold_histories import POLICIES, SPAN_DAYS, START, cases

HISTORIES = 40
DAYS = [START + timedelta(days=n) for n in range(0, SPAN_DAYS + 200, 9)]


def lapse_behind(day: date) -> date | None:
    """Judged as after a lapse on some days, so the lapse-scoped answers are asked too."""
    return day - timedelta(days=day.day * 5) if day.day % 2 else None


def test_every_judge_finds_a_requirement_met_exactly_when_its_checker_does() -> None:
    for case in islice(cases(HISTORIES), 0, None, 2):
        timeline = Timeline(case.evidence, DAYS[-1])
        for policy in POLICIES:
            for level in policy.levels:
                for requirement in level.requires:
                    judge = bind_judge(requirement, timeline)
                    for day in DAYS:
                        after = lapse_behind(day)
                        checked = check_requirement(requirement, timeline, day, after)
                        assert judge(day, after) == checked.met, (case.name, requirement, day)


def test_the_alarms_fire_exactly_when_check_maintenance_fires_a_rule() -> None:
    statuses = (None, *CertificationStatus)
    for case in islice(cases(HISTORIES), 0, None, 2):
        timeline = Timeline(case.evidence, DAYS[-1])
        for policy in POLICIES:
            for level in policy.levels:
                alarms = bind_alarms(level.maintenance, timeline)
                for index, day in enumerate(DAYS):
                    since = day - timedelta(days=index % 120) if index % 3 else None
                    status = statuses[index % len(statuses)]
                    prerequisite = (
                        Prerequisite(key="base", title="Base", status=status) if status else None
                    )
                    verdict = check_maintenance(
                        level.maintenance, timeline, day, since, prerequisite
                    )
                    at_risk = bool(verdict.fired("at_risk"))
                    lapse = any(
                        rule.rule != "at_risk_too_long" or at_risk
                        for rule in verdict.fired("lapse")
                    )
                    assert alarms(day, since, status) == (at_risk, lapse), (case.name, day)
