"""A database password given apart from the URL reaches the driver intact, whatever it holds."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

import pytest
from pydantic import SecretStr

from shared.config import ServiceSettings

BASE64_STYLE = "q/8+Zr@x:Yw==%2F?#"


def settings(**overrides: object) -> ServiceSettings:
    return ServiceSettings.model_validate({"service_name": "learning", **overrides})


def test_a_base64_style_password_is_encoded_into_the_url_and_decodes_back() -> None:
    dsn = settings(
        database_url=SecretStr("postgresql://learning@db.internal:5432/miiwrap"),
        database_password=SecretStr(BASE64_STYLE),
    ).database_dsn
    parts = urlsplit(dsn)
    assert unquote(parts.password or "") == BASE64_STYLE
    assert (parts.username, parts.hostname, parts.port, parts.path) == (
        "learning",
        "db.internal",
        5432,
        "/miiwrap",
    )


def test_the_separate_password_replaces_one_in_the_url() -> None:
    dsn = settings(
        database_url=SecretStr("postgresql://learning:old@db/miiwrap?sslmode=require"),
        database_password=SecretStr("new"),
    ).database_dsn
    assert dsn == "postgresql://learning:new@db/miiwrap?sslmode=require"


@pytest.mark.parametrize("url", ["postgresql://u:p@h/db", "postgresql://h/db"])
def test_without_a_separate_password_the_url_is_used_as_given(url: str) -> None:
    assert settings(database_url=SecretStr(url)).database_dsn == url


def test_the_logged_location_never_shows_the_separate_password() -> None:
    configured = settings(
        database_url=SecretStr("postgresql://learning@db/miiwrap"),
        database_password=SecretStr(BASE64_STYLE),
    )
    assert "q%2F8" not in configured.database_location
    assert configured.database_location == "postgresql://learning:***@db/miiwrap"
