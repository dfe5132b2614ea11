"""Validating an Ethereum address typed or sent by a browser, with reasons a person can act on."""

from __future__ import annotations

import re

from eth_utils import is_checksum_address, to_checksum_address

from coop_dashboard.errors import AuthError

_ADDRESS_RE = re.compile(r"0x[0-9a-fA-F]{40}")


def shown(value: object, limit: int = 80) -> str:
    """`value` as it can safely appear in an error message: printable and short.

    Everything that reaches this module comes from a browser; echoing it raw
    would let anyone put newlines or megabytes into the UI and the logs.
    """
    text = value if isinstance(value, str) else repr(value)
    printable = "".join(ch if ch.isprintable() else "?" for ch in text)
    return printable if len(printable) <= limit else printable[: limit - 3] + "..."


def checksum_address(value: object) -> str:
    """`value` as an EIP-55 checksummed address, or AuthError saying what is wrong with it."""
    if not isinstance(value, str):
        raise AuthError(f"An Ethereum address must be text, got {type(value).__name__}.")
    candidate = value.strip()
    if not _ADDRESS_RE.fullmatch(candidate):
        raise AuthError(
            f"{shown(candidate)!r} is not an Ethereum address: "
            "expected 0x followed by 40 hexadecimal digits."
        )
    hex_part = candidate[2:]
    is_mixed_case = hex_part != hex_part.lower() and hex_part != hex_part.upper()
    # All-lower or all-upper carries no checksum; mixed case claims one (EIP-55)
    # and a mismatch there almost always means a typo in a copied address.
    if is_mixed_case and not is_checksum_address(candidate):
        raise AuthError(
            f"{candidate} has an invalid EIP-55 checksum (its upper/lower case letters do "
            "not match); check the address for a typo."
        )
    return str(to_checksum_address(candidate))
