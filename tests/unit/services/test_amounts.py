"""Exact base-unit formatting, including amounts beyond Decimal's 28 digits."""

from __future__ import annotations

import pytest

from coop_dashboard.services.amounts import format_units


@pytest.mark.parametrize(
    ("amount", "decimals", "text"),
    [
        (0, 18, "0"),
        (1, 18, "0.000000000000000001"),
        (1_500_000_000_000_000_000, 18, "1.5"),
        (10_000_000 * 10**18, 18, "10000000"),
        (1_130_000 * 10**6, 6, "1130000"),
        (-25, 1, "-2.5"),
        (7, 0, "7"),
        (
            2**256 - 1,
            18,
            "115792089237316195423570985008687907853269984665640564039457.584007913129639935",
        ),
    ],
)
def test_format_units_is_exact(amount: int, decimals: int, text: str) -> None:
    assert format_units(amount, decimals) == text
