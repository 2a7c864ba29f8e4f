"""Statement-level MUSTs: required and unknown properties, nulls, id, timestamps,
version, authority and attachments (Data §2.2, §2.4.1, §2.4.7-§2.4.11)."""

from __future__ import annotations

from typing import Any

import pytest

from services.learning.xapi import StatementInvalid, validate_statement, validate_statements

from . import spec_examples as spec
from .builders import drop_at, learner, mailbox, set_at, statement
from .rejections import rejection

SHA256 = "672fa5fa658017f1b72d65036f13379c6ab05d4ab3b6664908d8acf0b6a0c634"


def certificate(**overrides: Any) -> dict[str, Any]:
    attachment: dict[str, Any] = {
        "usageType": "https://miiwrap.example.org/xapi/attachments/certificate",
        "display": {"en-US": "Completion certificate"},
        "contentType": "application/pdf",
        "length": 52_311,
        "sha2": SHA256,
    }
    return {**attachment, **overrides}


@pytest.mark.parametrize("required", ["actor", "verb", "object"])
def test_rejects_a_statement_missing_a_required_property(required: str) -> None:
    assert rejection(drop_at(statement(), required)).path == required


def test_rejects_a_property_the_spec_does_not_define() -> None:
    assert rejection(statement(comment="nice")).path == "comment"


def test_rejects_a_property_whose_case_differs_from_the_spec() -> None:
    invalid = drop_at(statement(Actor=learner()), "actor")
    assert rejection(invalid).path == "Actor"


def test_rejects_unknown_properties_deep_inside_the_statement() -> None:
    invalid = set_at(statement(), "context.contextActivities.parent[0].definition", {"title": "x"})
    assert rejection(invalid).path == "context.contextActivities.parent[0].definition.title"


def test_rejects_a_null_value() -> None:
    assert rejection(set_at(statement(), "result.response", None)).path == "result.response"


def test_accepts_a_null_value_inside_extensions() -> None:
    validate_statement(set_at(statement(), "result.extensions", {"https://x.example/n": None}))


def test_rejects_something_other_than_a_json_object() -> None:
    assert rejection([statement()]).path == ""


@pytest.mark.parametrize(
    "statement_id",
    [
        "not-a-uuid",
        "fd41c918b88b4b20a0a5a4c32391aaa0",
        "{fd41c918-b88b-4b20-a0a5-a4c32391aaa0}",
        "",
    ],
)
def test_rejects_an_id_that_is_not_a_uuid_in_standard_form(statement_id: str) -> None:
    assert rejection(statement(id=statement_id)).path == "id"


@pytest.mark.parametrize(
    "statement_id",
    [
        "00000000-0000-0000-0000-000000000000",  # nil UUID
        "FD41C918-B88B-4B20-A0A5-A4C32391AAA0",  # upper case
        "fd41c918-b88b-1b20-c0a5-a4c32391aaa0",  # version 1, variant other than RFC 4122
    ],
)
def test_accepts_a_uuid_of_any_version_or_variant_as_id(statement_id: str) -> None:
    validate_statement(statement(id=statement_id))


@pytest.mark.parametrize("moment", ["timestamp", "stored"])
@pytest.mark.parametrize(
    "value",
    ["yesterday", "2024-05-02", "2024-02-30T10:00:00Z", "2024-05-02T14:03:27-00:00", 1714658607],
)
def test_rejects_a_timestamp_that_is_not_iso_8601(moment: str, value: object) -> None:
    assert rejection(statement(**{moment: value})).path == moment


def test_accepts_a_timestamp_without_a_time_zone_since_the_zone_is_only_recommended() -> None:
    validate_statement(statement(timestamp="2024-05-02T14:03:27.512"))


@pytest.mark.parametrize("version", ["1.0.0", "1.0.3", "1.0.42"])
def test_accepts_a_version_starting_with_1_0(version: str) -> None:
    validate_statement(statement(version=version))


@pytest.mark.parametrize("version", ["1.1.0", "2.0.0", "0.95", "1", "1.0.x", 1.0])
def test_rejects_a_version_not_starting_with_1_0(version: object) -> None:
    assert rejection(statement(version=version)).path == "version"


def test_accepts_an_agent_as_authority() -> None:
    validate_statement(statement(authority=mailbox("lms@example.org")))


def test_rejects_a_group_authority_without_exactly_two_members() -> None:
    authority = {**spec.OAUTH_AUTHORITY, "member": [*spec.OAUTH_AUTHORITY["member"], learner()]}
    assert rejection(statement(authority=authority)).path == "authority.member"


def test_rejects_an_invalid_agent_as_authority() -> None:
    assert rejection(statement(authority={"name": "LMS"})).path == "authority"


def test_accepts_attachments_with_and_without_file_url() -> None:
    attachments = [certificate(), certificate(fileUrl="https://lms.example.org/certs/1.pdf")]
    validate_statement(statement(attachments=attachments))


@pytest.mark.parametrize("required", ["usageType", "display", "contentType", "length", "sha2"])
def test_rejects_an_attachment_missing_a_required_property(required: str) -> None:
    invalid = statement(attachments=[drop_at(certificate(), required)])
    assert rejection(invalid).path == f"attachments[0].{required}"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("usageType", "certificate"),
        ("contentType", "a pdf"),
        ("length", "52311"),
        ("length", 52.5),
        ("length", -1),
        ("sha2", "not-hex"),
        ("sha2", SHA256[:40]),
        ("fileUrl", "/certs/1.pdf"),
        ("display", "Completion certificate"),
    ],
)
def test_rejects_an_attachment_with_a_malformed_property(field: str, value: object) -> None:
    invalid = statement(attachments=[certificate(**{field: value})])
    assert rejection(invalid).path == f"attachments[0].{field}"


def test_rejects_a_signature_attachment_that_is_not_octet_stream() -> None:
    signature = certificate(usageType="http://adlnet.gov/expapi/attachments/signature")
    assert rejection(statement(attachments=[signature])).path == "attachments[0].contentType"


def test_rejects_attachments_that_are_not_an_array() -> None:
    assert rejection(statement(attachments=certificate())).path == "attachments"


def test_accepts_a_single_statement_or_a_batch_as_a_post_body() -> None:
    second = statement(id="7ccd3322-e1a5-411a-a67d-6a735c76f119")
    assert validate_statements(statement()) == [statement()]
    assert validate_statements([statement(), second]) == [statement(), second]
    assert validate_statements([]) == []


def test_rejects_a_whole_batch_and_names_the_statement_at_fault() -> None:
    batch = [statement(id="7ccd3322-e1a5-411a-a67d-6a735c76f119"), drop_at(statement(), "verb")]
    with pytest.raises(StatementInvalid) as caught:
        validate_statements(batch)
    assert caught.value.path == "[1].verb"


def test_rejects_a_batch_with_two_statements_sharing_an_id() -> None:
    batch = [statement(), statement(id=statement()["id"].upper())]
    with pytest.raises(StatementInvalid) as caught:
        validate_statements(batch)
    assert caught.value.path == "[1].id"


def test_accepts_version_1_0_as_the_header_does() -> None:
    from services.learning.xapi.validation import validate_statement

    validate_statement(statement(version="1.0"))


def test_rejects_an_identified_group_as_authority() -> None:
    group = {
        "objectType": "Group",
        "mbox": "mailto:group@example.com",
        "member": [{"mbox": "mailto:a@example.com"}, {"mbox": "mailto:b@example.com"}],
    }
    assert rejection(statement(authority=group)).path == "authority"
