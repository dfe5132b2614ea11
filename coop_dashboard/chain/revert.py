"""Decode revert data (custom errors, Error(string), Panic(uint256)) into words."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from eth_abi import decode
from eth_utils import function_signature_to_4byte_selector, to_checksum_address

_ERROR_STRING = bytes.fromhex("08c379a0")
_PANIC = bytes.fromhex("4e487b71")
_PANIC_REASONS = {
    0x01: "assertion failed",
    0x11: "arithmetic overflow or underflow",
    0x12: "division by zero",
    0x21: "invalid enum value",
    0x32: "array index out of bounds",
    0x41: "out of memory",
}


@dataclass(frozen=True)
class DecodedRevert:
    name: str
    args: tuple[Any, ...]

    def __str__(self) -> str:
        shown = ", ".join("0x" + a.hex() if isinstance(a, bytes) else str(a) for a in self.args)
        return f"{self.name}({shown})"


def _type_of(param: dict[str, Any]) -> str:
    if param["type"].startswith("tuple"):
        inner = ",".join(_type_of(c) for c in param["components"])
        return f"({inner}){param['type'][5:]}"
    return str(param["type"])


class RevertDecoder:
    """Selector -> error table built once from a set of ABIs."""

    def __init__(self, abis: Iterable[list[dict[str, Any]]]) -> None:
        self._errors: dict[bytes, tuple[str, list[str]]] = {}
        for abi in abis:
            for entry in abi:
                if entry.get("type") != "error":
                    continue
                types = [_type_of(p) for p in entry.get("inputs", [])]
                selector = function_signature_to_4byte_selector(
                    f"{entry['name']}({','.join(types)})"
                )
                self._errors[selector] = (entry["name"], types)

    def decode(self, data: bytes | str) -> DecodedRevert | None:
        """The error in `data`, or None when it is empty or unknown."""
        raw = (
            bytes.fromhex(data[2:] if data.startswith("0x") else data)
            if isinstance(data, str)
            else data
        )
        if len(raw) < 4:
            return None
        selector, body = raw[:4], raw[4:]
        try:
            if selector == _ERROR_STRING:
                return DecodedRevert("Error", tuple(decode(["string"], body)))
            if selector == _PANIC:
                (code,) = decode(["uint256"], body)
                return DecodedRevert("Panic", (_PANIC_REASONS.get(code, hex(code)),))
            known = self._errors.get(selector)
            if known is None:
                return None
            name, types = known
            values = decode(types, body)
            return DecodedRevert(
                name,
                tuple(
                    to_checksum_address(v) if t == "address" else v
                    for t, v in zip(types, values, strict=True)
                ),
            )
        except Exception:  # malformed revert data is reported as unknown, never raised
            return None
