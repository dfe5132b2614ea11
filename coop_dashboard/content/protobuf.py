"""The few pieces of the protobuf wire format that dag-pb and UnixFS need.

Unsigned varints, length-delimited fields, and a field reader that refuses what
these messages never hold (groups, fixed-width fields, truncated input): a
stored block that does not parse is corrupt, not something to guess about.
"""

from __future__ import annotations

from collections.abc import Iterator

from coop_dashboard.errors import ContentError

VARINT = 0
LENGTH_DELIMITED = 2
_MAX_VARINT_BYTES = 10  # a uint64


def encode_varint(value: int) -> bytes:
    if value < 0:
        raise ValueError("varints here are unsigned")
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def decode_varint(data: bytes | memoryview, position: int) -> tuple[int, int]:
    """The varint at `position` and the position after it."""
    value = 0
    for index in range(_MAX_VARINT_BYTES):
        if position + index >= len(data):
            raise ContentError("A stored block ends inside a number (truncated).")
        byte = data[position + index]
        value |= (byte & 0x7F) << (7 * index)
        if byte < 0x80:
            return value, position + index + 1
    raise ContentError("A stored block holds a number longer than 64 bits.")


def varint_field(number: int, value: int) -> bytes:
    return encode_varint(number << 3 | VARINT) + encode_varint(value)


def bytes_field(number: int, value: bytes) -> bytes:
    return encode_varint(number << 3 | LENGTH_DELIMITED) + encode_varint(len(value)) + value


def read_fields(data: bytes | memoryview) -> Iterator[tuple[int, int | bytes]]:
    """(field number, value) pairs in order: ints for varints, bytes otherwise."""
    position = 0
    while position < len(data):
        key, position = decode_varint(data, position)
        number, wire_type = key >> 3, key & 0x07
        if wire_type == VARINT:
            value, position = decode_varint(data, position)
            yield number, value
        elif wire_type == LENGTH_DELIMITED:
            length, position = decode_varint(data, position)
            if position + length > len(data):
                raise ContentError("A stored block ends inside a field (truncated).")
            yield number, bytes(data[position : position + length])
            position += length
        else:
            raise ContentError(f"A stored block has a field of wire type {wire_type}.")
