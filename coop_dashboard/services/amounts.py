"""Exact conversions between base units and decimal strings (never floats)."""

from __future__ import annotations

from decimal import Decimal


def format_units(amount: int, decimals: int) -> str:
    """`amount` base units as an exact decimal string: 1500000000000000000, 18 -> "1.5"."""
    if decimals == 0:
        return str(amount)
    value = Decimal(amount).scaleb(-decimals)
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"
