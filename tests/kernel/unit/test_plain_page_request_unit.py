"""A lean answer's page: what `page_request` gives for a plain query, None for the rest."""

from __future__ import annotations

from shared.pagination import (
    DEFAULT_LIMIT,
    PageRequest,
    encode_cursor,
    page_request,
    plain_page_request,
)

CURSOR = encode_cursor(["prac-000050"])


async def test_a_plain_query_reads_as_page_request_reads_it() -> None:
    for query, limit, cursor in (
        (b"", DEFAULT_LIMIT, None),
        (b"limit=7", 7, None),
        (b"limit=200", 200, None),
        (f"cursor={CURSOR}".encode(), DEFAULT_LIMIT, CURSOR),
        (f"limit=1&cursor={CURSOR}".encode(), 1, CURSOR),
    ):
        assert plain_page_request(query) == await page_request(limit, cursor), query
    assert plain_page_request(b"") == PageRequest(limit=DEFAULT_LIMIT, after=None)


def test_anything_else_is_left_to_the_route() -> None:
    for query in (
        b"status=certified",  # a filter
        b"limit=5&extra=1",  # a parameter the answer does not know
        b"limit=5&limit=6",  # repeated
        b"limit=0",
        b"limit=201",  # out of range: the route's 422
        b"limit=07",
        b"limit=+7",
        b"limit=%207",  # not plain digits: the route reads them its own way
        b"cursor=",  # empty
        b"cursor=not-one-we-issued",  # the route's 400
    ):
        assert plain_page_request(query) is None, query
