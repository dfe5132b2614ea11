"""The proposal feed as a live view: one page of cards per FeedQuery.

Pages come from the head's in-memory snapshot (feed_snapshot.py: one SQL read
per indexed head serves every filter, search, sort and page); "needs my vote"
pages are read in SQL per voter.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from coop_dashboard.config import load_settings
from coop_dashboard.db.engine import get_engine
from coop_dashboard.db.proposal_state import PROPOSAL_STATES
from coop_dashboard.services.governance.feed import FeedQuery
from coop_dashboard.services.governance.feed_snapshot import feed_page
from coop_dashboard.services.governance.feed_view import ProposalCard, proposal_card
from coop_dashboard.services.live_data import LiveView

# What the feed's state filter accepts ("all" = no filter).
STATE_FILTERS = ("all", *PROPOSAL_STATES)


@dataclass(frozen=True)
class FeedResult:
    """One page of the feed as a tab shows it."""

    cards: list[ProposalCard] = field(default_factory=list)
    total: int = 0
    page_count: int = 1


def read_feed(query: FeedQuery) -> FeedResult:
    page = feed_page(get_engine(load_settings().database_url), query)
    cards = [proposal_card(item, page.now) for item in page.items]
    return FeedResult(cards, page.total, page.page_count)


FEED = LiveView("proposal_feed", read=read_feed)
