"""Typed function arguments from text, with a message per bad argument."""

from __future__ import annotations

import pytest

from coop_dashboard.services.governance.abi_args import parse_abi_argument
from coop_dashboard.services.governance.validation import InvalidInput

ADDRESS = "0xabCDeF0123456789AbcdEf0123456789aBCDEF01"


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        (ADDRESS.lower(), "address", ADDRESS),
        ("0x0000000000000000000000000000000000000000", "address",
         "0x0000000000000000000000000000000000000000"),
        ("1_000,000", "uint256", 1_000_000),
        ("0xff", "uint8", 255),
        ("-128", "int8", -128),
        (str(2**256 - 1), "uint256", 2**256 - 1),
        ("TRUE", "bool", True),
        ("no", "bool", False),
        ("0x", "bytes", b""),
        ("0xdeadBEEF", "bytes4", bytes.fromhex("deadbeef")),
        ("  spaces kept  ", "string", "  spaces kept  "),
        ("[1, 2, 3]", "uint256[]", [1, 2, 3]),
        ("[]", "address[]", []),
        (f"[{ADDRESS.lower()}, {ADDRESS.lower()}]", "address[2]", [ADDRESS, ADDRESS]),
        ('["a,b", "c"]', "string[]", ["a,b", "c"]),
        ("[true, false]", "bool[]", [True, False]),
        ("[[1, 2], [3]]", "uint8[][]", [[1, 2], [3]]),
    ],
)  # fmt: skip
def test_parses(text: str, kind: str, value: object) -> None:
    assert parse_abi_argument(text, kind, "arg0") == value


@pytest.mark.parametrize(
    ("text", "kind", "fragment"),
    [
        ("1.5", "uint256", "is not a whole number"),
        ("-1", "uint256", "between 0 and"),
        ("256", "uint8", "between 0 and 255 for uint8"),
        ("128", "int8", "between -128 and 127 for int8"),
        ("maybe", "bool", "write true or false"),
        ("deadbeef", "bytes", "0x followed by hex"),
        ("0xabc", "bytes", "odd number of hex digits"),
        ("0xzz", "bytes", "not hex digits"),
        ("0xdead", "bytes4", "exactly 4 bytes (8 hex digits), got 2"),
        ("1, 2", "uint256[]", "in brackets"),
        ("[1, 2]", "uint256[3]", "exactly 3 items, got 2"),
        ("[1, x]", "uint256[]", "item 2"),
        ("[[1, 2]", "uint8[][]", "nested list is not valid"),
        ("(1,2)", "(uint256,uint256)", "struct (tuple) arguments"),
        ("0x1234", "address", "has 4 hex digits"),
        ("1", "fixed128x18", "not supported"),
    ],
)
def test_refuses_with_a_message(text: str, kind: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_abi_argument(text, kind, "arg0", "Amount")
    assert fragment in str(caught.value)
    assert caught.value.problems[0].field == "arg0"
