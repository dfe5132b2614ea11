"""Text from the chain, made safe to show and to store: the one sanitiser for event strings.

Anyone can put any bytes in an event's `string` (a proposal description, a vote
reason, a statement URI). The chain does not check UTF-8, and PostgreSQL
refuses NUL in text. Such a string is still indexed like any other: invalid
bytes and NUL become U+FFFD (the replacement character, visible to readers),
and the exact bytes stay attached (`exact_bytes`), because digests are over
them: a proposal's description hash, the log's data kept in chain_event.

Valid UTF-8 without NUL (nearly every string) comes back as a plain `str`.
"""

from __future__ import annotations

from typing import Any

REPLACEMENT = "\ufffd"


class AlteredText(str):
    """A chain string that could not be kept as is: the sanitised text, plus its bytes."""

    raw: bytes

    def __new__(cls, text: str, raw: bytes) -> AlteredText:
        value = super().__new__(cls, text)
        value.raw = raw
        return value


def chain_text(raw: bytes) -> str:
    """The text of an ABI `string`'s bytes, safe for SQLite, PostgreSQL and the UI."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("utf-8", "replace")
    else:
        if "\x00" not in text:
            return text
    return AlteredText(text.replace("\x00", REPLACEMENT), raw)


def exact_bytes(text: str) -> bytes:
    """The bytes the chain holds for `text` (a value `chain_text` returned)."""
    if isinstance(text, AlteredText):
        return text.raw
    return text.encode("utf-8")


def is_altered(value: Any) -> bool:
    """Whether `value` (a decoded argument: text, a list of them, ...) lost bytes."""
    if isinstance(value, AlteredText):
        return True
    if isinstance(value, list | tuple):
        return any(is_altered(item) for item in value)
    return False
