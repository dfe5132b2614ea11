"""An address typed by a person, checked with a reason they can act on."""

from __future__ import annotations

from coop_dashboard.auth.addresses import checksum_address
from coop_dashboard.errors import AuthError, CoopError


class AddressInputError(CoopError):
    """What a person typed is not a usable Ethereum address."""


def parse_address_input(text: str) -> str:
    """`text` as a checksummed address, or AddressInputError saying what is wrong."""
    candidate = text.strip()
    if not candidate:
        raise AddressInputError("Enter an address: 0x followed by 40 hexadecimal digits.")
    if candidate.lower() == "0x" + "0" * 40:
        raise AddressInputError(
            "That is the zero address: nobody can vote with it. "
            "Enter the address of the person you want to vote for you."
        )
    try:
        return checksum_address(candidate)
    except AuthError as exc:
        raise AddressInputError(str(exc)) from None
