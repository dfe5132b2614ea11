"""HTTP `Range: bytes=...` requests (RFC 9110 section 14): the one parser for every
route that serves stored files (the /ipfs gateway, licensed dataset downloads).

Only a single range is honoured; a multi-range request is answered with the whole
file, which RFC 9110 allows (a server may ignore Range). A syntactically broken
header is ignored the same way; a well-formed range that starts past the end is
"unsatisfiable" (416).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# bytes=START-END, bytes=START- or bytes=-SUFFIX_LENGTH (digits only, no spaces inside).
_SINGLE_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
# A header longer than this is not a single range of sane offsets.
MAX_RANGE_HEADER_CHARS = 100


@dataclass(frozen=True)
class ByteRange:
    """Bytes [offset, offset + length) of a file of `size` bytes."""

    offset: int
    length: int
    size: int

    @property
    def content_range(self) -> str:
        last = self.offset + self.length - 1
        return f"bytes {self.offset}-{last}/{self.size}"


class RangeNotSatisfiable(ValueError):
    """The range starts at or past the end of the file (HTTP 416)."""

    def __init__(self, size: int) -> None:
        super().__init__(f"The requested range is outside the file's {size:,} bytes.")
        self.size = size

    @property
    def content_range(self) -> str:
        return f"bytes */{self.size}"


def requested_range(header: str | None, size: int) -> ByteRange | None:
    """The single byte range `header` asks for within `size` bytes; None for the whole
    file (no header, a multi-range or malformed header). Raises RangeNotSatisfiable."""
    if not header or len(header) > MAX_RANGE_HEADER_CHARS:
        return None
    match = _SINGLE_RANGE.fullmatch(header.strip())
    if match is None:
        return None
    first, last = match.group(1), match.group(2)
    if not first and not last:
        return None
    if not first:
        # A suffix: the last N bytes (all of them when N exceeds the size).
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable(size)
        length = min(suffix, size)
        return ByteRange(size - length, length, size)
    offset = int(first)
    if offset >= size:
        raise RangeNotSatisfiable(size)
    end = size - 1 if not last else min(int(last), size - 1)
    if end < offset:
        return None  # "bytes=5-2" is invalid syntax: ignored, the whole file is sent
    return ByteRange(offset, end - offset + 1, size)
