"""The proposal feed as a live view: one page of cards per FeedQuery.

Pages are cut from the head's in-memory snapshot (feed_snapshot.py: one SQL
read per indexed head and worker serves every filter, search, sort and page),
on the event loop through the hub's derived views; "needs my vote" pages are
read in SQL per voter.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from coop_dashboard.config import load_settings
from coop_dashboard.db.engine import get_engine
from coop_dashboard.db.proposal_state import PROPOSAL_STATES
from coop_dashboard.services.governance.feed import FeedPage, FeedQuery
from coop_dashboard.services.governance.feed_snapshot import (
    FeedSnapshot,
    feed_page,
    snapshot_cache,
    snapshot_page,
)
from coop_dashboard.services.governance.feed_view import ProposalCard, proposal_card
from coop_dashboard.services.live_data import Derived, LiveView

# What the feed's state filter accepts ("all" = no filter).
STATE_FILTERS = ("all", *PROPOSAL_STATES)


@dataclass(frozen=True)
class FeedResult:
    """One page of the feed as a tab shows it."""

    cards: list[ProposalCard] = field(default_factory=list)
    total: int = 0
    page_count: int = 1


def _result(page: FeedPage) -> FeedResult:
    cards = [proposal_card(item, page.now) for item in page.items]
    return FeedResult(cards, page.total, page.page_count)


def read_feed(query: FeedQuery) -> FeedResult:
    """One page, read on its own (blocking): what "needs my vote" pages use."""
    return _result(feed_page(get_engine(load_settings().database_url), query))


def read_feed_snapshot(_key: str) -> FeedSnapshot:
    engine = get_engine(load_settings().database_url)
    return snapshot_cache(engine).current(engine)


def _snapshot_key(query: FeedQuery) -> str | None:
    return None if query.needs_vote_of else SNAPSHOT_KEY


def _cut_page(snapshot: FeedSnapshot, query: FeedQuery) -> FeedResult:
    return _result(snapshot_page(snapshot, query))


SNAPSHOT_KEY = "all"
# Every proposal, read once per indexed head and worker (in a reader thread)...
FEED_SNAPSHOT = LiveView(
    "proposal_feed_snapshot", read=read_feed_snapshot, same=lambda a, b: a is b
)
# ...and every page of the feed cut from it on the event loop (~0.1 ms, no thread hop).
FEED = LiveView(
    "proposal_feed",
    read=read_feed,
    derived=Derived(FEED_SNAPSHOT, _snapshot_key, _cut_page),
)
