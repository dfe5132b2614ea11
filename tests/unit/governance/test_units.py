"""Exact amounts and human durations, both directions."""

from __future__ import annotations

import pytest

from coop_dashboard.services.governance.units import (
    format_duration,
    format_duration_short,
    format_token_amount,
    parse_duration,
    parse_token_amount,
)
from coop_dashboard.services.governance.validation import InvalidInput


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 seconds"),
        (1, "1 second"),
        (59, "59 seconds"),
        (3 * 86_400, "3 days"),
        (5_400, "1 hour 30 minutes"),
        (86_400 + 3_600 + 60 + 1, "1 day 1 hour 1 minute 1 second"),
        (2 * 86_400 + 7_200, "2 days 2 hours"),
    ],
)
def test_format_duration_is_exact(seconds: int, text: str) -> None:
    assert format_duration(seconds) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (30, "less than a minute"),
        (90, "1 minute"),
        (3 * 86_400 + 2 * 3_600 + 59, "3 days 2 hours"),
        (86_400 + 60, "1 day"),  # units are adjacent: no "1 day 1 minute"
        (7_200 + 1_800, "2 hours 30 minutes"),
    ],
)
def test_format_duration_short_rounds_down(seconds: int, text: str) -> None:
    assert format_duration_short(seconds) == text


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("3 days", 3 * 86_400),
        ("1h 30m", 5_400),
        ("90 minutes", 5_400),
        ("1 day, 12 hours", 36 * 3_600),
        ("1 day and 2 hours", 26 * 3_600),
        ("2w", 14 * 86_400),
        ("3600", 3_600),
        ("  36 H ", 36 * 3_600),
    ],
)
def test_parse_duration(text: str, seconds: int) -> None:
    assert parse_duration(text, "period") == seconds


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "enter a duration"),
        ("three days", "is not a duration"),
        ("3 fortnights", "unknown unit 'fortnights'"),
        ("3 days extra", "is not a duration"),
        ("-3 days", "is not a duration"),
    ],
)
def test_parse_duration_refuses_with_a_message(text: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_duration(text, "voting_period", "Voting period")
    assert fragment in str(caught.value)
    assert str(caught.value).startswith("Voting period:")
    assert caught.value.problems[0].field == "voting_period"


@pytest.mark.parametrize(
    ("amount", "decimals", "symbol", "text"),
    [
        (5_000 * 10**6, 6, "cUSD", "5,000 cUSD"),
        (1, 6, "cUSD", "0.000001 cUSD"),
        (1_234_567_891 * 10**17, 18, "COOP", "123,456,789.1 COOP"),
        (25 * 10**18, 18, "ETH", "25 ETH"),
        (0, 18, None, "0"),
        (2**256 - 1, 0, None, f"{2**256 - 1:,}"),
    ],
)
def test_format_token_amount_is_exact(
    amount: int, decimals: int, symbol: str | None, text: str
) -> None:
    assert format_token_amount(amount, decimals, symbol) == text


@pytest.mark.parametrize(
    ("text", "decimals", "base_units"),
    [
        ("1", 18, 10**18),
        ("0.1", 18, 10**17),
        ("1,250.5", 6, 1_250_500_000),
        ("1_000", 6, 10**9),
        (".5", 6, 500_000),
        ("0.000001", 6, 1),
        ("100000000000000000000.000000000000000001", 18, 10**38 + 1),
    ],
)
def test_parse_token_amount_is_exact(text: str, decimals: int, base_units: int) -> None:
    assert parse_token_amount(text, decimals, "amount") == base_units


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "enter an amount"),
        ("abc", "is not a number"),
        ("1e18", "is not a number"),
        ("1,25", "use a dot for decimals"),
        ("-5", "cannot be negative"),
        ("0.0000001", "at most 6 decimal places"),
        ("NaN", "is not a number"),
        ("9" * 500, "too long"),
    ],
)
def test_parse_token_amount_refuses_with_a_message(text: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_token_amount(text, 6, "amount", "Amount")
    assert fragment in str(caught.value)


def test_amounts_beyond_decimal_precision_stay_exact() -> None:
    # Decimal's default context has 28 digits; an unlimited approval has 78.
    assert format_token_amount(2**256 - 1, 18, "cUSD") == (
        "115,792,089,237,316,195,423,570,985,008,687,907,853,269,984,665,640,564,039,457."
        "584007913129639935 cUSD"
    )
    assert (
        parse_token_amount(
            "115792089237316195423570985008687907853269984665640564039457.584007913129639935",
            18,
            "amount",
        )
        == 2**256 - 1
    )
