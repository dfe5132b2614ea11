"""A column type for EVM uint256 values (token amounts, proposal ids) on both engines.

A uint256 does not fit BIGINT, and SQLite's NUMERIC affinity silently turns
integers beyond 64 bits into floats. So: PostgreSQL stores NUMERIC(78, 0)
(exact, summable in SQL); SQLite stores the decimal digits zero-padded to 78
characters, so text order is numeric order and ORDER BY / comparisons stay
right in SQL. Sums over amounts are done in Python (exact ints) or maintained
by the indexer, never with SQL SUM on SQLite.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.types import Numeric, String, TypeDecorator, TypeEngine

UINT256_DIGITS = 78  # len(str(2**256 - 1))
UINT256_MAX = 2**256 - 1


class Uint256(TypeDecorator[int]):
    """An exact unsigned 256-bit integer, handed back as a Python int."""

    impl = String(UINT256_DIGITS)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(Numeric(UINT256_DIGITS, 0, asdecimal=True))
        return dialect.type_descriptor(String(UINT256_DIGITS))

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any]:
        # One plain function per value instead of TypeDecorator's layered call:
        # the indexer binds hundreds of thousands of these per backfill.
        if dialect.name == "postgresql":
            return _checked_int
        return _padded_decimal

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        number = int(value)
        if number < 0 or number > UINT256_MAX:
            raise ValueError(f"{number} is not a uint256")
        if dialect.name == "postgresql":
            return number
        return f"{number:0{UINT256_DIGITS}d}"

    def process_result_value(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        return int(value)


def _checked_int(value: Any) -> int | None:
    if value is None:
        return None
    number = int(value)
    if not 0 <= number <= UINT256_MAX:
        raise ValueError(f"{number} is not a uint256")
    return number


def _padded_decimal(value: Any) -> str | None:
    if value is None:
        return None
    number = int(value)
    if not 0 <= number <= UINT256_MAX:
        raise ValueError(f"{number} is not a uint256")
    return f"{number:0{UINT256_DIGITS}d}"
