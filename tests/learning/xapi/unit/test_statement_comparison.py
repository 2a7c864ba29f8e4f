"""When a re-sent Statement is the same Statement (Data §2.3.1, comparison rules)."""

from __future__ import annotations

from services.learning.xapi.comparison import same_statement

from .builders import learner, set_at, statement


def test_a_statement_is_the_same_as_its_stored_form() -> None:
    sent = statement()
    stored = {
        **sent,
        "stored": "2025-01-01T00:00:00.000Z",
        "authority": learner("lrs"),
        "version": "1.0.0",
    }
    assert same_statement(stored, sent)


def test_timestamps_compare_as_instants_in_any_zone() -> None:
    utc = statement(timestamp="2024-05-02T14:03:27.512Z")
    paris = statement(timestamp="2024-05-02T16:03:27.512+02:00")
    assert same_statement(utc, paris)


def test_a_timestamp_the_lrs_filled_in_is_ignored() -> None:
    sent = {k: v for k, v in statement().items() if k != "timestamp"}
    assert same_statement(statement(timestamp="2030-01-01T00:00:00Z"), sent)


def test_a_different_timestamp_differs() -> None:
    assert not same_statement(statement(), statement(timestamp="2024-05-03T14:03:27.512Z"))


def test_activity_definitions_and_verb_displays_are_not_part_of_the_statement() -> None:
    renamed = set_at(statement(), "object.definition.name", {"en-US": "Renamed"})
    redisplayed = set_at(renamed, "verb.display", {"fr": "terminé"})
    assert same_statement(statement(), redisplayed)


def test_group_member_order_and_email_domain_case_are_ignored() -> None:
    members = [{"mbox": "mailto:a@Example.org"}, {"mbox": "mailto:b@example.org"}]
    group = {"objectType": "Group", "member": members}
    reordered = {"objectType": "Group", "member": [members[1], {"mbox": "mailto:a@example.ORG"}]}
    assert same_statement(statement(actor=group), statement(actor=reordered))


def test_a_single_context_activity_equals_an_array_of_one() -> None:
    as_array = statement()
    single = set_at(
        as_array,
        "context.contextActivities.parent",
        {
            "id": as_array["context"]["contextActivities"]["parent"][0]["id"],
            "objectType": "Activity",
        },
    )
    assert same_statement(as_array, single)


def test_a_different_result_differs() -> None:
    assert not same_statement(statement(), set_at(statement(), "result.score.scaled", 0.5))


def test_a_different_mailbox_local_part_differs() -> None:
    assert not same_statement(
        statement(actor={"mbox": "mailto:Ana@example.org"}),
        statement(actor={"mbox": "mailto:ana@example.org"}),
    )
