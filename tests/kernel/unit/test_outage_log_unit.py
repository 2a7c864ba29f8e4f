"""asyncpg's pool logs its failed refills while the database is away: without a traceback."""

from __future__ import annotations

import logging
import sys

import asyncpg

from shared.config import ServiceSettings
from shared.logs import OutageWithoutTraceback, configure_logging


def _record(error: BaseException) -> logging.LogRecord:
    try:
        raise error
    except BaseException:
        exc_info = sys.exc_info()
    return logging.LogRecord(
        "asyncpg.pool",
        logging.WARNING,
        __file__,
        1,
        "Failed to restore %s",
        ("the floor",),
        exc_info,
    )


def test_an_unavailable_database_is_logged_with_its_error_and_without_a_traceback() -> None:
    record = _record(
        asyncpg.exceptions.CannotConnectNowError("the database system is shutting down")
    )
    assert OutageWithoutTraceback().filter(record)
    assert record.exc_info is None
    assert record.levelno == logging.WARNING
    error = "CannotConnectNowError('the database system is shutting down')"
    assert record.getMessage() == f"Failed to restore the floor ({error})"


def test_any_other_error_keeps_its_traceback() -> None:
    record = _record(ValueError("a bug"))
    assert OutageWithoutTraceback().filter(record)
    assert record.exc_info is not None and isinstance(record.exc_info[1], ValueError)
    assert record.getMessage() == "Failed to restore the floor"


def test_the_services_logging_quiets_asyncpgs_pool_once_however_often_configured() -> None:
    settings = ServiceSettings(service_name="probe")
    configure_logging(settings)
    configure_logging(settings)
    pool_filters = logging.getLogger("asyncpg.pool").filters
    assert sum(isinstance(f, OutageWithoutTraceback) for f in pool_filters) == 1
