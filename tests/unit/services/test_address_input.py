"""A typed delegate address: accepted in any case, refused with a reason."""

from __future__ import annotations

import pytest

from coop_dashboard.services.address_input import AddressInputError, parse_address_input

CHECKSUMMED = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"


@pytest.mark.parametrize(
    "typed", [CHECKSUMMED, CHECKSUMMED.lower(), f"  {CHECKSUMMED.upper().replace('0X', '0x')}  "]
)
def test_valid_addresses_come_back_checksummed(typed: str) -> None:
    assert parse_address_input(typed) == CHECKSUMMED


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "Enter an address"),
        ("   ", "Enter an address"),
        ("0x1234", "expected 0x followed by 40 hexadecimal digits"),
        ("90F79bf6EB2c4f870365E785982E1f101E93b906", "is not an Ethereum address"),
        ("0x" + "0" * 40, "zero address"),
        (CHECKSUMMED.replace("EB2c", "Eb2c"), "invalid EIP-55 checksum"),
        ("0x90F79bf6EB2c4f870365E785982E1f101E93b90g", "is not an Ethereum address"),
    ],
)
def test_malformed_addresses_are_refused_with_a_reason(typed: str, reason: str) -> None:
    with pytest.raises(AddressInputError, match=reason):
        parse_address_input(typed)
