"""Exact token amounts and human durations, both ways (text <-> integers).

Amounts are never floats: base units are integers and decimal text is parsed
with integer arithmetic on the digits, so "0.1" COOP is exactly 10**17 base units.
"""

from __future__ import annotations

import re

from coop_dashboard.services.amounts import format_units
from coop_dashboard.services.governance.validation import refuse

_UNITS: tuple[tuple[str, int], ...] = (
    ("day", 86_400),
    ("hour", 3_600),
    ("minute", 60),
    ("second", 1),
)
_UNIT_ALIASES: dict[str, int] = {
    **{alias: 604_800 for alias in ("w", "week", "weeks")},
    **{alias: 86_400 for alias in ("d", "day", "days")},
    **{alias: 3_600 for alias in ("h", "hr", "hrs", "hour", "hours")},
    **{alias: 60 for alias in ("m", "min", "mins", "minute", "minutes")},
    **{alias: 1 for alias in ("s", "sec", "secs", "second", "seconds")},
}
_DURATION_PART = re.compile(r"(\d+)\s*([a-z]+)")
_MAX_AMOUNT_CHARS = 100  # 2**256 has 78 digits; longer text is a paste accident
_GROUPED_NUMBER = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")


def _plural(count: int, unit: str) -> str:
    return f"{count:,} {unit}" + ("" if count == 1 else "s")


def format_duration(seconds: int) -> str:
    """Exact: 259200 -> "3 days", 5400 -> "1 hour 30 minutes", 0 -> "0 seconds"."""
    if seconds <= 0:
        return "0 seconds"
    parts: list[str] = []
    rest = seconds
    for unit, size in _UNITS:
        count, rest = divmod(rest, size)
        if count:
            parts.append(_plural(count, unit))
    return " ".join(parts)


def format_duration_short(seconds: int, max_units: int = 2) -> str:
    """Rounded down to the `max_units` largest units: "2 days 3 hours"; < 1 min -> "less than a
    minute". For countdowns, where exactness to the second is noise."""
    if seconds < 60:
        return "less than a minute"
    parts: list[str] = []
    rest = seconds
    for unit, size in _UNITS[:-1]:  # seconds never shown in a countdown
        count, rest = divmod(rest, size)
        if count:
            parts.append(_plural(count, unit))
        if parts and (len(parts) == max_units or count == 0):
            break
    return " ".join(parts)


def parse_duration(text: str, field: str, label: str | None = None) -> int:
    """Seconds from "3 days", "1h 30m", "90 minutes", "1 day, 12 hours" or a plain "3600".

    `field` keys the error to the form input; `label` is how messages name it.
    """
    label = label or field
    cleaned = text.strip().lower().replace(",", " ").replace(" and ", " ")
    if not cleaned:
        raise refuse(field, f"{label}: enter a duration, e.g. 3 days or 12 hours.")
    if cleaned.isdigit():
        return int(cleaned)
    total = 0
    position = 0
    for match in _DURATION_PART.finditer(cleaned):
        if cleaned[position : match.start()].strip():
            break
        count, unit = int(match.group(1)), match.group(2)
        if unit not in _UNIT_ALIASES:
            raise refuse(
                field, f"{label}: unknown unit {unit!r}; use days, hours, minutes or seconds."
            )
        total += count * _UNIT_ALIASES[unit]
        position = match.end()
    if position == 0 or cleaned[position:].strip():
        raise refuse(
            field,
            f"{label}: {text.strip()!r} is not a duration; write e.g. 3 days, 36 hours or 1h 30m.",
        )
    return total


def group_thousands(decimal_text: str) -> str:
    """ "1234567.5" -> "1,234,567.5" (the fraction is left exactly as it is)."""
    sign = "-" if decimal_text.startswith("-") else ""
    digits = decimal_text.lstrip("-")
    whole, dot, fraction = digits.partition(".")
    return f"{sign}{int(whole or '0'):,}{dot}{fraction}"


def exact_units(amount: int, decimals: int) -> str:
    """Base units as exact decimal text: (1500000, 6) -> "1.5"."""
    return format_units(amount, decimals)


def format_token_amount(amount: int, decimals: int, symbol: str | None = None) -> str:
    """Exact, with thousands separators: (5000 * 10**6, 6, "cUSD") -> "5,000 cUSD"."""
    text = group_thousands(exact_units(amount, decimals))
    return f"{text} {symbol}" if symbol else text


def parse_token_amount(text: str, decimals: int, field: str, label: str | None = None) -> int:
    """Base units from exact decimal text ("1,250.5", "0.000001"); refuses what is not exact."""
    label = label or field
    cleaned = text.strip().replace("_", "").replace(" ", "")
    if not cleaned:
        raise refuse(field, f"{label}: enter an amount.")
    if len(cleaned) > _MAX_AMOUNT_CHARS:
        raise refuse(field, f"{label}: the amount is too long to be a token amount.")
    if "," in cleaned:
        if not _GROUPED_NUMBER.match(cleaned):
            raise refuse(
                field,
                f"{label}: {text.strip()!r} is not a number; use a dot for decimals, e.g. 1250.5.",
            )
        cleaned = cleaned.replace(",", "")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", cleaned):
        raise refuse(field, f"{label}: {text.strip()!r} is not a number.")
    if cleaned.startswith("-"):
        raise refuse(field, f"{label}: the amount cannot be negative.")
    # Exact integer arithmetic on the digits (Decimal would round past 28 digits).
    whole, _, fraction = cleaned.lstrip("+").partition(".")
    fraction = fraction.rstrip("0")
    if len(fraction) > decimals:
        raise refuse(
            field, f"{label}: at most {decimals} decimal places are possible for this token."
        )
    return int(whole or "0") * 10**decimals + int(fraction.ljust(decimals, "0") or "0")
