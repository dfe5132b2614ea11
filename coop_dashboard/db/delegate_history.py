"""Pure rules over a delegate's history: power at a time, participation, the statement now.

Shared by the indexer (which keeps the directory's figures) and the profile's
queries, so both count the same way. No I/O here.
"""

from __future__ import annotations

import bisect
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

WEEK_S = 7 * 86_400
NOTHING_TO_VOTE_ON = -1  # participation_bp when no snapshot fell while it had power


@dataclass(frozen=True)
class PowerHistory:
    """A delegate's voting power after each change, oldest first."""

    timestamps: Sequence[int]
    votes: Sequence[int]

    def at(self, timepoint: int) -> int:
        """Power at `timepoint`, as ERC20Votes.getPastVotes reads it (changes at <= timepoint)."""
        index = bisect.bisect_right(self.timestamps, timepoint)
        return self.votes[index - 1] if index else 0

    @property
    def now(self) -> int:
        return self.votes[-1] if self.votes else 0

    def next_change_after(self, timepoint: int) -> int | None:
        index = bisect.bisect_right(self.timestamps, timepoint)
        return self.timestamps[index] if index < len(self.timestamps) else None


def eligible_proposals(history: PowerHistory, snapshots: Iterable[int], as_of: int) -> int:
    """Proposals whose snapshot has passed (<= as_of) and fell while the delegate had power."""
    return sum(1 for snapshot in snapshots if snapshot <= as_of and history.at(snapshot) > 0)


def participation_bp(votes_cast: int, eligible: int) -> int:
    """Votes cast per proposal it could vote on, in basis points (-1: none yet)."""
    if eligible <= 0:
        return NOTHING_TO_VOTE_ON
    return min(10_000, votes_cast * 10_000 // eligible)


@dataclass(frozen=True)
class WeekWindow:
    """Power a week before `as_of`, and when that figure next changes."""

    power_week_ago: int
    expires_at: int | None


def week_window(history: PowerHistory, as_of: int) -> WeekWindow:
    start = as_of - WEEK_S
    following = history.next_change_after(start)
    return WeekWindow(history.at(start), None if following is None else following + WEEK_S)


@dataclass(frozen=True)
class CurrentStatement:
    uri: str
    digest: str
    topics: list[str]
    seeking_delegation: bool
    version: int
    updated_at: int


def replay_statement(rows: Iterable[Mapping[str, Any]]) -> CurrentStatement | None:
    """One delegate's DelegateRegistry rows (oldest first) -> its statement now, if any."""
    current: CurrentStatement | None = None
    for row in rows:
        kind = row["kind"]
        if kind == "published":
            current = CurrentStatement(
                str(row["uri"] or ""),
                str(row["digest"] or ""),
                _topics(row["topics"]),
                bool(row["seeking_delegation"]),
                int(row["version"] or 0),
                int(row["block_timestamp"]),
            )
        elif kind == "cleared":
            current = None
        elif kind == "seeking_changed" and current is not None:
            current = CurrentStatement(
                current.uri,
                current.digest,
                current.topics,
                bool(row["seeking_delegation"]),
                current.version,
                int(row["block_timestamp"]),
            )
    return current


def _topics(raw: Any) -> list[str]:
    try:
        topics = json.loads(raw or "[]")
    except ValueError:
        return []
    return [str(topic) for topic in topics] if isinstance(topics, list) else []


def search_text(address: str, name: str, topics: Iterable[str]) -> str:
    """What the directory's text search matches: address, name and topics, lowercase."""
    return " ".join([address, name, *topics]).lower()


def random_draw(address: str, bits: int) -> int:
    """A fixed uniform draw of `bits` bits per address (rotated by each session's seed)."""
    digest = hashlib.blake2b(address.lower().encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> (64 - bits)
