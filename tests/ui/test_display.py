"""Formatting rules: separators, never rounding up, short addresses, UTC times."""

from __future__ import annotations

import pytest

from coop_dashboard.services import display


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        ("0", "0"),
        ("1250000.5", "1,250,000.5"),
        ("10000000", "10,000,000"),
        ("12.000000000000000001", "12"),
        ("0.99999", "0.9999"),  # cut, not rounded up to 1
        ("0.00000001", "<0.0001"),
        ("-1234.5", "-1,234.5"),
        ("1E+3", "1,000"),
    ],
)
def test_format_decimal(amount: str, shown: str) -> None:
    assert display.format_decimal(amount) == shown


def test_format_decimal_rejects_garbage() -> None:
    with pytest.raises(ValueError, match="not a decimal"):
        display.format_decimal("12 ETH")


def test_format_int() -> None:
    assert display.format_int(0) == "0"
    assert display.format_int(1234567) == "1,234,567"


def test_short_address() -> None:
    address = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
    assert display.short_address(address) == "0x5FbD…0aa3"
    assert display.short_address("0x1234") == "0x1234"


def test_times_are_utc() -> None:
    assert display.format_utc(1_700_000_000) == "2023-11-14 22:13:20 UTC"
    assert display.iso_utc(1_700_000_000) == "2023-11-14T22:13:20Z"


@pytest.mark.parametrize(
    ("name", "human"),
    [
        ("CoopGovernor", "Coop Governor"),
        ("DelegateRegistry", "Delegate Registry"),
        ("MockUSDC", "Mock USDC"),
        ("ERC20Token", "ERC20 Token"),
        ("data_licensing", "Data Licensing"),
        ("token", "Token"),
    ],
)
def test_humanize_identifier(name: str, human: str) -> None:
    assert display.humanize_identifier(name) == human


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://127.0.0.1:8545", "http://127.0.0.1:8545"),
        ("http://localhost:8545/", "http://localhost:8545"),
        ("https://mainnet.example.io/v3/secret-key", "https://mainnet.example.io/…"),
        ("https://user:pw@rpc.example.org", "https://rpc.example.org/…"),
        ("https://rpc.example.org/?apikey=secret", "https://rpc.example.org/…"),
        ("http://[::1]:8545", "http://[::1]:8545"),
        ("not a url", "(invalid URL)"),
    ],
)
def test_public_url_hides_secrets(url: str, shown: str) -> None:
    assert display.public_url(url) == shown
