"""Reading ABI JSON: canonical types, signatures, selectors, and values shown as text."""

from __future__ import annotations

from typing import Any

from eth_utils import function_signature_to_4byte_selector, to_checksum_address

AbiEntry = dict[str, Any]


def abi_type(param: AbiEntry) -> str:
    """The canonical type of an ABI parameter; tuples spelled out: "(address,uint256)[]"."""
    kind = str(param["type"])
    if kind.startswith("tuple"):
        inner = ",".join(abi_type(component) for component in param.get("components", []))
        return f"({inner}){kind[len('tuple') :]}"
    return kind


def input_types(entry: AbiEntry) -> list[str]:
    return [abi_type(p) for p in entry.get("inputs", [])]


def function_signature(entry: AbiEntry) -> str:
    """ "transfer(address,uint256)"."""
    return f"{entry['name']}({','.join(input_types(entry))})"


def function_selector(entry: AbiEntry) -> bytes:
    return function_signature_to_4byte_selector(function_signature(entry))


def is_state_changing(entry: AbiEntry) -> bool:
    """A function a proposal can usefully call (view/pure calls change nothing)."""
    return entry.get("type") == "function" and entry.get("stateMutability") not in ("view", "pure")


def functions_by_selector(abi: list[AbiEntry]) -> dict[bytes, AbiEntry]:
    return {function_selector(e): e for e in abi if e.get("type") == "function"}


def format_abi_value(kind: str, value: Any) -> str:
    """A decoded ABI value as text: checksummed addresses, 0x bytes, grouped integers."""
    if kind.endswith("]"):
        element = kind[: kind.rindex("[")]
        return "[" + ", ".join(format_abi_value(element, item) for item in value) + "]"
    if kind.startswith("("):
        inner = _split_tuple_types(kind[1:-1])
        return (
            "(" + ", ".join(format_abi_value(t, v) for t, v in zip(inner, value, strict=True)) + ")"
        )
    if kind == "address":
        return to_checksum_address(value)
    if kind.startswith("bytes"):
        return "0x" + bytes(value).hex()
    if kind == "bool":
        return "true" if value else "false"
    if kind.startswith(("uint", "int")):
        return f"{int(value):,}"
    if kind == "string":
        return repr(str(value))
    return str(value)


def _split_tuple_types(inner: str) -> list[str]:
    """ "address,(uint8,bytes)[],bool" -> ["address", "(uint8,bytes)[]", "bool"]."""
    parts: list[str] = []
    depth = 0
    current = ""
    for char in inner:
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += char == "("
        depth -= char == ")"
        current += char
    if current:
        parts.append(current)
    return parts
