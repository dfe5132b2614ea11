"""Function arguments typed as text, parsed into values eth_abi can encode.

Formats (what the custom-call form tells people):
- address: 0x + 40 hex digits (checksum checked when mixed case)
- uintN / intN: a whole number, decimal or 0x hex; `_` and `,` separators allowed
- bool: true / false (also yes / no, 1 / 0)
- bytes: 0x hex; bytesN: 0x hex of exactly N bytes
- string: the text as typed
- arrays (T[] / T[k]): a list in brackets, e.g. [1, 2, 3] or ["0xab…", "0xcd…"];
  quotes are optional around items of non-string types
Tuples (structs) are refused: a form of nested fields is not worth it for the
few functions of the suite that take one; raw calldata covers them.
"""

from __future__ import annotations

import json
import re
from typing import Any

from coop_dashboard.services.governance.inputs import parse_address
from coop_dashboard.services.governance.validation import refuse

_INT_TYPE = re.compile(r"^(u?)int(\d*)$")
_BYTES_N = re.compile(r"^bytes(\d+)$")
_ARRAY = re.compile(r"^(.*)\[(\d*)\]$")
_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}


def _parse_int(text: str, kind: str, field: str, label: str) -> int:
    match = _INT_TYPE.match(kind)
    assert match is not None  # dispatched here only for int types
    signed = match.group(1) == ""
    bits = int(match.group(2) or 256)
    cleaned = text.strip().replace("_", "").replace(",", "")
    try:
        value = int(cleaned, 16) if cleaned.lower().startswith("0x") else int(cleaned, 10)
    except ValueError:
        raise refuse(field, f"{label}: {text.strip()!r} is not a whole number.") from None
    low, high = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2**bits - 1)
    if not low <= value <= high:
        raise refuse(field, f"{label}: must be between {low:,} and {high:,} for {kind}.")
    return value


def _parse_bytes(text: str, kind: str, field: str, label: str) -> bytes:
    cleaned = text.strip()
    if not cleaned.lower().startswith("0x"):
        raise refuse(field, f"{label}: bytes are written as 0x followed by hex digits.")
    digits = cleaned[2:]
    if len(digits) % 2:
        raise refuse(field, f"{label}: an odd number of hex digits cannot be whole bytes.")
    try:
        value = bytes.fromhex(digits)
    except ValueError:
        raise refuse(field, f"{label}: contains characters that are not hex digits.") from None
    size = _BYTES_N.match(kind)
    if size is not None and len(value) != int(size.group(1)):
        expected = int(size.group(1))
        raise refuse(
            field,
            f"{label}: {kind} is exactly {expected} bytes ({2 * expected} hex digits), "
            f"got {len(value)}.",
        )
    return value


def _parse_bool(text: str, field: str, label: str) -> bool:
    cleaned = text.strip().lower()
    if cleaned in _TRUE:
        return True
    if cleaned in _FALSE:
        return False
    raise refuse(field, f"{label}: write true or false.")


def _split_items(text: str, field: str, label: str) -> list[str]:
    """The items of "[a, b]": JSON when it parses, else a plain comma split (unquoted 0x…)."""
    cleaned = text.strip()
    if not (cleaned.startswith("[") and cleaned.endswith("]")):
        raise refuse(field, f"{label}: write a list in brackets, e.g. [1, 2, 3].")
    try:
        items = json.loads(cleaned)
    except ValueError:
        inner = cleaned[1:-1].strip()
        if "[" in inner:  # nested lists must be valid JSON
            raise refuse(
                field, f"{label}: the nested list is not valid; check brackets and quotes."
            ) from None
        return [item.strip() for item in inner.split(",")] if inner else []
    return [json.dumps(i) if isinstance(i, list) else _json_item_text(i) for i in items]


def _json_item_text(item: Any) -> str:
    if isinstance(item, bool):
        return "true" if item else "false"
    return str(item)


def parse_abi_argument(text: str, kind: str, field: str, label: str | None = None) -> Any:
    """`text` as a value of ABI type `kind`, or InvalidInput naming `label` and the problem."""
    label = label or field
    array = _ARRAY.match(kind)
    if array is not None:
        element, length = array.group(1), array.group(2)
        items = _split_items(text, field, label)
        if length and len(items) != int(length):
            raise refuse(field, f"{label}: {kind} takes exactly {length} items, got {len(items)}.")
        return [
            parse_abi_argument(item, element, field, f"{label} item {index + 1}")
            for index, item in enumerate(items)
        ]
    if kind.startswith("("):
        raise refuse(field, f"{label}: struct (tuple) arguments cannot be entered in this form.")
    if kind == "address":
        return parse_address(text, field, label, allow_zero=True)
    if _INT_TYPE.match(kind):
        return _parse_int(text, kind, field, label)
    if kind == "bool":
        return _parse_bool(text, field, label)
    if kind == "bytes" or _BYTES_N.match(kind):
        return _parse_bytes(text, kind, field, label)
    if kind == "string":
        return text
    raise refuse(field, f"{label}: the type {kind} is not supported in this form.")
