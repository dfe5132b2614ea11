"""Members' notes on treasury movements: who may write one, and what a note may hold.

Every rule is checked here, on the server, whatever the page allowed: any
client can call the event with any arguments.
"""

from __future__ import annotations

import html
import re
import unicodedata
from datetime import UTC, datetime

import nh3
from sqlalchemy import Engine

from coop_dashboard.config import load_settings
from coop_dashboard.db.engine import get_engine
from coop_dashboard.db.queries import voting_power
from coop_dashboard.db.treasury_queries import add_note, movement
from coop_dashboard.db.treasury_tables import NOTE_MAX_CHARS, TAG_MAX_CHARS
from coop_dashboard.errors import CoopError

_TAG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_MOVEMENT_ID = re.compile(r"^(\d{1,19}):(-?\d{1,19})$")


class NoteRefused(CoopError):
    """A note the server will not store; the message says why, for the member."""


def _plain(text: str, what: str, limit: int) -> str:
    text = text.strip()
    if len(text) > limit:
        raise NoteRefused(f"{what} is {len(text)} characters; at most {limit} are kept.")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co") and c not in "\n" for c in text):
        raise NoteRefused(f"{what} holds control characters; write plain text.")
    # Markup is whatever an HTML sanitiser with no allowed tags would remove.
    if html.unescape(nh3.clean(text, tags=set())) != text:
        raise NoteRefused(f"{what} holds markup (<…>); notes are plain text.")
    return text


def check_note(note: str, tag: str) -> tuple[str, str]:
    """The note and tag to store, or NoteRefused with the reason."""
    if not isinstance(note, str) or not isinstance(tag, str):
        raise NoteRefused("A note and a tag are text.")
    text = _plain(note, "The note", NOTE_MAX_CHARS)
    label = tag.strip().lower()
    if len(label) > TAG_MAX_CHARS:
        raise NoteRefused(f"The tag is {len(label)} characters; at most {TAG_MAX_CHARS}.")
    if label and not _TAG.match(label):
        raise NoteRefused("A tag is one word of letters, digits and dashes (e.g. grant-q3).")
    if not text and not label:
        raise NoteRefused("Write a note or a tag.")
    return text, label


def parse_movement_id(text: str) -> tuple[int, int]:
    match = _MOVEMENT_ID.match(text if isinstance(text, str) else "")
    if match is None:
        raise NoteRefused("That movement does not exist.")
    return int(match.group(1)), int(match.group(2))


def attach_note(
    engine: Engine,
    author: str | None,
    movement_id: str,
    note: str,
    tag: str,
    now: datetime | None = None,
) -> None:
    """Store `author`'s note on the movement, if they are a member with voting power."""
    if not author:
        raise NoteRefused("Sign in to attach notes: they are attributed to your address.")
    text, label = check_note(note, tag)
    if voting_power(engine, author) <= 0:
        raise NoteRefused(
            "Only members with voting power attach notes; delegate your tokens "
            "(to yourself or someone) and try again."
        )
    block_number, log_index = parse_movement_id(movement_id)
    target = movement(engine, block_number, log_index)
    if target is None:
        raise NoteRefused("That movement does not exist.")
    add_note(engine, target, author.lower(), text, label, now or datetime.now(UTC))


def attach_note_now(author: str | None, movement_id: str, note: str, tag: str) -> None:
    """`attach_note` on the app's database (blocking: call it in a thread)."""
    attach_note(get_engine(load_settings().database_url), author, movement_id, note, tag)
