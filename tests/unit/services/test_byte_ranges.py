"""The one Range-header parser (RFC 9110 single byte ranges)."""

from __future__ import annotations

import pytest

from coop_dashboard.services.byte_ranges import (
    ByteRange,
    RangeNotSatisfiable,
    requested_range,
)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-0", ByteRange(0, 1, 100)),
        ("bytes=10-19", ByteRange(10, 10, 100)),
        ("bytes=90-", ByteRange(90, 10, 100)),
        ("bytes=90-1000", ByteRange(90, 10, 100)),
        ("bytes=-5", ByteRange(95, 5, 100)),
        ("bytes=-500", ByteRange(0, 100, 100)),
        (" bytes=1-2 ", ByteRange(1, 2, 100)),
    ],
)
def test_single_ranges(header: str, expected: ByteRange) -> None:
    assert requested_range(header, 100) == expected


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "bytes=",
        "bytes=-",
        "bytes=5-2",
        "bytes=0-1,3-4",
        "bits=0-1",
        "bytes=a-b",
        "bytes=1-2" + " " * 200,
    ],
)
def test_absent_malformed_or_multi_ranges_mean_the_whole_file(header: str | None) -> None:
    assert requested_range(header, 100) is None


@pytest.mark.parametrize(
    ("header", "size"), [("bytes=100-", 100), ("bytes=-0", 100), ("bytes=0-", 0)]
)
def test_unsatisfiable_ranges(header: str, size: int) -> None:
    with pytest.raises(RangeNotSatisfiable) as refused:
        requested_range(header, size)
    assert refused.value.content_range == f"bytes */{size}"


def test_content_range_names_the_last_byte() -> None:
    assert ByteRange(10, 10, 100).content_range == "bytes 10-19/100"
