"""Catching a Statement's rejection, so tests can assert on where it was found."""

from __future__ import annotations

import pytest

from services.learning.xapi import StatementInvalid, validate_statement


def rejection(raw: object, *, is_substatement: bool = False) -> StatementInvalid:
    """The `StatementInvalid` raised for `raw`; fails the test if it is accepted."""
    with pytest.raises(StatementInvalid) as caught:
        validate_statement(raw, is_substatement=is_substatement)
    return caught.value
