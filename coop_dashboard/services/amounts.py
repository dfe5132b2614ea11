"""Exact conversions between base units and decimal strings (never floats)."""

from __future__ import annotations


def format_units(amount: int, decimals: int) -> str:
    """Base units as exact decimal text: (1500000000000000000, 18) -> "1.5".

    Integer arithmetic only: `Decimal.scaleb` rounds to the context's 28 digits,
    which would misprint amounts above 10**28 base units (e.g. 2**256 - 1).
    """
    sign = "-" if amount < 0 else ""
    whole, fraction = divmod(abs(amount), 10**decimals)
    if decimals == 0 or fraction == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole}." + str(fraction).rjust(decimals, "0").rstrip("0")
