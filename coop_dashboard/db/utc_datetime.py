"""A timestamp column that always hands back timezone-aware UTC datetimes.

PostgreSQL's `timestamptz` keeps the zone, but SQLite has no timestamp type:
SQLAlchemy stores text and returns naive datetimes, and comparing naive with
aware datetimes raises. This type stores naive UTC on SQLite (so text order is
time order and SQL comparisons such as `expires_at > :now` work) and attaches
UTC on the way out, so Python code sees the same aware values on both engines.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.types import DateTime, TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """`DateTime(timezone=True)` that refuses naive input and returns aware UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"UtcDateTime expects a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            # A naive value is ambiguous (local time? UTC?); refusing it catches
            # the bug where it is written, not when an expiry check goes wrong.
            raise ValueError("UtcDateTime refuses naive datetimes; pass a timezone-aware value")
        as_utc = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return as_utc.replace(tzinfo=None)
        return as_utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"UtcDateTime read a {type(value).__name__}, not a datetime")
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utc_now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)
