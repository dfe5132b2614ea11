"""Addresses typed or pasted by a person: validated, checksummed, explained when wrong."""

from __future__ import annotations

import re

from eth_utils import is_checksum_address, to_checksum_address

from coop_dashboard.evm import ZERO_ADDRESS
from coop_dashboard.services.governance.validation import refuse

_HEX = re.compile(r"^[0-9a-fA-F]*$")


def parse_address(
    text: str, field: str, label: str | None = None, *, allow_zero: bool = False
) -> str:
    """The checksummed address in `text`, or InvalidInput saying what is wrong with it.

    All-lower and all-upper hex carry no checksum and are accepted; mixed case is
    an EIP-55 checksum and must match, since a mismatch usually means a typo.
    """
    label = label or field
    value = text.strip()
    if not value:
        raise refuse(field, f"{label}: enter an address (0x followed by 40 hex digits).")
    if "." in value and not value.lower().startswith("0x"):
        raise refuse(
            field, f"{label}: names like {value!r} are not supported; paste the 0x address."
        )
    if not value.lower().startswith("0x"):
        raise refuse(field, f"{label}: an address starts with 0x.")
    digits = value[2:]
    if not _HEX.match(digits):
        raise refuse(field, f"{label}: contains characters that are not hex digits (0-9, a-f).")
    if len(digits) != 40:
        raise refuse(field, f"{label}: has {len(digits)} hex digits after 0x; an address has 40.")
    mixed_case = digits != digits.lower() and digits != digits.upper()
    if mixed_case and not is_checksum_address("0x" + digits):
        raise refuse(
            field,
            f"{label}: the capitalisation does not match the address checksum, which "
            "usually means a typo. Copy the address again from its source.",
        )
    checksummed = to_checksum_address("0x" + digits)
    if checksummed == ZERO_ADDRESS and not allow_zero:
        raise refuse(
            field, f"{label}: the zero address cannot receive anything (funds would be lost)."
        )
    return checksummed
