"""Formatting of chain values for people: thousands separators, short addresses, UTC times.

Pure functions with no reflex import, so the UI layers stay declarative and the
rules are unit-testable. Formatting never changes a value: callers keep the
exact value next to the formatted one (the page puts it in a title/data attribute).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_DOWN, Decimal, InvalidOperation

# Re-exported: pages show RPC URLs through the one redaction (redaction.py).
from coop_dashboard.redaction import public_url as public_url

# Enough precision for a dashboard tile; the exact amount stays available.
DISPLAY_DECIMALS = 4


def format_int(value: int) -> str:
    """`1234567` -> `"1,234,567"`."""
    return f"{value:,}"


def format_decimal(amount: str, max_decimals: int = DISPLAY_DECIMALS) -> str:
    """A decimal string with thousands separators, cut (never rounded up) to `max_decimals`.

    Cutting rather than rounding means a balance is never shown larger than it is;
    a non-zero amount too small to show reads `<0.0001` instead of a misleading `0`.
    """
    try:
        value = Decimal(amount)
    except InvalidOperation as exc:
        raise ValueError(f"not a decimal amount: {amount!r}") from exc
    quantum = Decimal(1).scaleb(-max_decimals)
    shown = value.quantize(quantum, rounding=ROUND_DOWN)
    if shown == 0 and value != 0:
        sign = "-" if value < 0 else ""
        return f"{sign}<{quantum}" if max_decimals > 0 else f"{sign}<1"
    text = f"{shown:,.{max_decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def short_address(address: str) -> str:
    """`0xabcdef...1234` -> `0xabcd…1234`; anything not shaped like an address is kept."""
    if len(address) <= 12:
        return address
    return f"{address[:6]}…{address[-4:]}"


def utc_datetime(timestamp: int) -> datetime:
    """A unix timestamp (seconds) as an aware UTC datetime."""
    return datetime.fromtimestamp(timestamp, tz=UTC)


def format_utc(timestamp: int) -> str:
    """`1700000000` -> `"2023-11-14 22:13:20 UTC"`."""
    return utc_datetime(timestamp).strftime("%Y-%m-%d %H:%M:%S UTC")


def iso_utc(timestamp: int) -> str:
    """`1700000000` -> `"2023-11-14T22:13:20Z"` (what the browser's date code parses)."""
    return utc_datetime(timestamp).strftime("%Y-%m-%dT%H:%M:%SZ")


def humanize_identifier(name: str) -> str:
    """`"CoopGovernor"` / `"data_licensing"` -> `"Coop Governor"` / `"Data Licensing"`."""
    if "_" in name or name.islower():
        return " ".join(part.capitalize() for part in name.split("_") if part)
    words: list[str] = []
    current = ""
    for index, char in enumerate(name):
        next_char = name[index + 1] if index + 1 < len(name) else ""
        # Split before an upper-case letter that starts a word ("TokenERC20" keeps "ERC20").
        starts_word = (
            char.isupper()
            and current
            and (not current[-1].isupper() or (next_char and next_char.islower()))
        )
        if starts_word:
            words.append(current)
            current = char
        else:
            current += char
    if current:
        words.append(current)
    return " ".join(words)
