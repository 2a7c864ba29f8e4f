"""The string formats xAPI values must follow (Data §2.2, §4): IRIs, language tags,
UUIDs, e-mail IRIs, durations and timestamps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from services.learning.xapi.formats import (
    format_timestamp,
    is_duration,
    is_iri,
    is_irl,
    is_language_tag,
    is_mailto_iri,
    is_media_type,
    is_timestamp,
    parse_timestamp,
)


@pytest.mark.parametrize(
    "iri",
    [
        "http://adlnet.gov/expapi/verbs/completed",
        "https://w3id.org/xapi/cmi5/context/categories/cmi5",
        "http://example.com/xapi/verbs#defenestrated",
        "http://example.com/فعل/خواندن",
        "urn:uuid:fd41c918-b88b-4b20-a0a5-a4c32391aaa0",
        "tag:example.org,2024:module-3",
        "http://[2001:db8::1]:8080/activity",
        "https://www.youtube.com/watch?v=xh4kIiH3Sm8",
        "http://example.com/a%20b",
    ],
)
def test_accepts_absolute_iris(iri: str) -> None:
    assert is_iri(iri)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "example.com/activity",
        "/activities/1",
        "#fragment",
        "http://example.com/a b",
        "ab=c://should.fail.com",
        "http://example.com/<tag>",
        "http://example.com/100%",
        "http://example.com/a#b#c",
        "http://exa[mple.com/",
        "http:",
    ],
)
def test_rejects_what_is_not_an_absolute_iri(text: str) -> None:
    assert not is_iri(text)


def test_requires_a_host_of_an_http_irl() -> None:
    assert is_irl("https://lms.example.org")
    assert not is_irl("https:///lms")


@pytest.mark.parametrize(
    "tag",
    [
        "en",
        "en-US",
        "es-MX",
        "tlh",
        "zh-Hant-TW",
        "de-CH-1901",
        "sl-rozaj-biske",
        "x-private",
        "en-a-bbb-x-a-ccc",
        "i-klingon",
        "zh-yue-HK",
        "EN-us",
        "es-419",
    ],
)
def test_accepts_well_formed_rfc_5646_language_tags(tag: str) -> None:
    assert is_language_tag(tag)


@pytest.mark.parametrize(
    "text",
    ["", "e", "en_US", "englishman", "en-abcdefghi", "en-", "en--US", "123", "en-US-", "de-419-DE"],
)
def test_rejects_malformed_language_tags(text: str) -> None:
    assert not is_language_tag(text)


@pytest.mark.parametrize(
    ("mbox", "valid"),
    [
        ("mailto:xapi@adlnet.gov", True),
        ("mailto:first.last+tag@sub.example.org", True),
        ("mailto:user@example.com?subject=hi", False),
        ("xapi@adlnet.gov", False),
        ("mailto:@adlnet.gov", False),
    ],
)
def test_recognises_mailto_iris(mbox: str, valid: bool) -> None:
    assert is_mailto_iri(mbox) is valid


@pytest.mark.parametrize(
    ("duration", "valid"),
    [
        ("PT4H35M59.14S", True),
        ("P3Y1M29DT4H35M59.14S", True),
        ("P3Y", True),
        ("P4W", True),
        ("PT0,5S", True),
        ("P1.5Y", True),
        ("P16559.14S", False),  # the spec's example table has it, but S belongs after T
        ("P1.5Y2M", False),
        ("PT", False),
        ("P4W1D", False),
        ("pt5m", False),
    ],
)
def test_recognises_iso_8601_durations(duration: str, valid: bool) -> None:
    assert is_duration(duration) is valid


@pytest.mark.parametrize(
    "timestamp",
    [
        "2015-11-18T12:17:00+00:00",
        "2013-05-18T05:32:34.804+00:00",
        "2013-04-01T12:00:00Z",
        "2024-05-02T14:03:27.512345678-05:00",
        "2024-05-02T14:03",
        "20240502T140327Z",
        "2016-12-31T23:59:60Z",
        "2024-05-02T14:03:27+0530",
    ],
)
def test_accepts_iso_8601_date_times(timestamp: str) -> None:
    assert is_timestamp(timestamp)


@pytest.mark.parametrize(
    "text",
    [
        "2024-05-02",
        "2024-05-02 14:03:27Z",
        "2024-13-02T14:03:27Z",
        "2024-05-02T25:03:27Z",
        "2024-05-02T14:03:27-00:00",
        "2024-05-02T14:03:27+24:00",
        "2024-05-02t14:03:27z",
        "May 2, 2024",
    ],
)
def test_rejects_what_is_not_an_iso_8601_date_time(text: str) -> None:
    assert not is_timestamp(text)


def test_reads_offsets_and_treats_a_missing_zone_as_utc() -> None:
    assert parse_timestamp("2024-05-02T09:03:27-05:00") == datetime(
        2024, 5, 2, 14, 3, 27, tzinfo=UTC
    )
    assert parse_timestamp("2024-05-02T14:03:27.5") == datetime(2024, 5, 2, 14, 3, 27, 500_000, UTC)


def test_writes_timestamps_in_utc_with_milliseconds() -> None:
    moment = datetime(2024, 5, 2, 16, 3, 27, 512_999, tzinfo=timezone(timedelta(hours=2)))
    assert format_timestamp(moment) == "2024-05-02T14:03:27.512Z"
    with pytest.raises(ValueError):
        format_timestamp(datetime(2024, 5, 2))


@pytest.mark.parametrize(
    ("media_type", "valid"),
    [
        ("application/pdf", True),
        ("text/plain; charset=ascii", True),
        ("pdf", False),
        ("a b/c", False),
    ],
)
def test_recognises_internet_media_types(media_type: str, valid: bool) -> None:
    assert is_media_type(media_type) is valid
