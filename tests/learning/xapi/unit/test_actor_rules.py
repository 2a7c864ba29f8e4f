"""Agents and Groups wherever they appear (Data §2.4.2): IFIs, members, objectType."""

from __future__ import annotations

from typing import Any

import pytest

from services.learning.xapi import validate_statement

from .builders import LMS, learner, mailbox, set_at, statement
from .rejections import rejection


def anonymous_group(*members: dict[str, Any]) -> dict[str, Any]:
    return {"objectType": "Group", "name": "Ana's team", "member": list(members)}


@pytest.mark.parametrize(
    "ifi",
    [
        {"mbox": "mailto:ana@example.org"},
        {"mbox_sha1sum": "ebd31e95054c018b10727ccffd2ef2ec3a016ee9"},
        {"openid": "http://ana.openid.example.org/"},
        {"account": {"homePage": LMS, "name": "1625378"}},
    ],
    ids=["mbox", "mbox_sha1sum", "openid", "account"],
)
def test_accepts_an_agent_identified_by_each_kind_of_ifi(ifi: dict[str, Any]) -> None:
    validate_statement(statement(actor={"name": "Ana", **ifi}))


def test_rejects_an_agent_with_two_ifis() -> None:
    actor = learner(mbox="mailto:ana@example.org")
    failure = rejection(statement(actor=actor))
    assert failure.path == "actor"
    assert "found mbox, account" in failure.detail


def test_rejects_an_agent_without_an_ifi() -> None:
    assert rejection(statement(actor={"objectType": "Agent", "name": "Ana"})).path == "actor"


@pytest.mark.parametrize(
    "mbox", ["ana@example.org", "mailto:", "mailto:ana", "mailto:ana@", "mailto:a na@example.org"]
)
def test_rejects_an_mbox_that_is_not_a_mailto_iri(mbox: str) -> None:
    assert rejection(statement(actor={"mbox": mbox})).path == "actor.mbox"


@pytest.mark.parametrize("sha1", ["ebd31e95054c018b", "zz" * 20, 12345])
def test_rejects_an_mbox_sha1sum_that_is_not_40_hex_digits(sha1: object) -> None:
    assert rejection(statement(actor={"mbox_sha1sum": sha1})).path == "actor.mbox_sha1sum"


def test_rejects_an_openid_that_is_not_a_uri() -> None:
    assert rejection(statement(actor={"openid": "ana.openid"})).path == "actor.openid"


@pytest.mark.parametrize(
    ("account", "path"),
    [
        ({"homePage": LMS}, "actor.account.name"),
        ({"name": "1625378"}, "actor.account.homePage"),
        ({"homePage": "lms.example.org", "name": "1625378"}, "actor.account.homePage"),
        ({"homePage": LMS, "name": 1625378}, "actor.account.name"),
        ({"homePage": LMS, "name": "1625378", "id": 7}, "actor.account.id"),
    ],
    ids=["no-name", "no-home-page", "home-page-without-scheme", "numeric-name", "extra-property"],
)
def test_rejects_a_malformed_account(account: dict[str, Any], path: str) -> None:
    assert rejection(statement(actor={"account": account})).path == path


def test_rejects_an_agent_with_members() -> None:
    actor = learner(member=[mailbox("bo@example.org")])
    assert rejection(statement(actor=actor)).path == "actor.member"


def test_rejects_an_object_type_in_the_wrong_case() -> None:
    assert rejection(statement(actor=learner(objectType="agent"))).path == "actor.objectType"


def test_rejects_a_name_that_is_not_a_string() -> None:
    assert rejection(set_at(statement(), "actor.name", ["Ana"])).path == "actor.name"


def test_accepts_an_anonymous_group_listing_its_members() -> None:
    validate_statement(statement(actor=anonymous_group(learner(), mailbox("bo@example.org"))))


def test_rejects_an_anonymous_group_without_members() -> None:
    actor = {"objectType": "Group", "name": "Ana's team"}
    assert rejection(statement(actor=actor)).path == "actor.member"


def test_rejects_an_anonymous_group_with_an_empty_member_list() -> None:
    assert rejection(statement(actor=anonymous_group())).path == "actor.member"


def test_accepts_an_identified_group_without_members() -> None:
    validate_statement(statement(actor={"objectType": "Group", "mbox": "mailto:team@example.org"}))


def test_rejects_a_group_with_two_ifis() -> None:
    group = {"objectType": "Group", "mbox": "mailto:t@example.org", "openid": "http://t.example/"}
    assert rejection(statement(actor=group)).path == "actor"


def test_rejects_a_group_as_member_of_a_group() -> None:
    nested = anonymous_group(anonymous_group(learner()))
    assert rejection(statement(actor=nested)).path == "actor.member[0].objectType"


def test_rejects_a_group_member_that_is_not_a_valid_agent() -> None:
    group = anonymous_group(learner(), {"name": "Bo"})
    assert rejection(statement(actor=group)).path == "actor.member[1]"


def test_rejects_a_group_without_object_type() -> None:
    actor = {"name": "Ana's team", "member": [learner()]}
    assert rejection(statement(actor=actor)).path == "actor.member"


def test_accepts_a_group_as_instructor() -> None:
    instructors = anonymous_group(mailbox("coach@example.org"), mailbox("lead@example.org"))
    validate_statement(set_at(statement(), "context.instructor", instructors))


def test_rejects_an_agent_as_team() -> None:
    invalid = set_at(statement(), "context.team", mailbox("coach@example.org"))
    assert rejection(invalid).path == "context.team.objectType"


def test_rejects_an_invalid_instructor() -> None:
    invalid = set_at(statement(), "context.instructor", {"mbox": "coach@example.org"})
    assert rejection(invalid).path == "context.instructor.mbox"
