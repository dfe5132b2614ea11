"""The proposal feed as a live view: one page of cards per FeedQuery, read from SQL."""

from __future__ import annotations

from dataclasses import dataclass, field

from coop_dashboard.config import load_settings
from coop_dashboard.db.engine import get_engine
from coop_dashboard.db.proposal_state import PROPOSAL_STATES
from coop_dashboard.services.governance.feed import FeedQuery, proposal_feed
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
    page = proposal_feed(get_engine(load_settings().database_url), query)
    cards = [proposal_card(item, page.now) for item in page.items]
    return FeedResult(cards, page.total, page.page_count)


FEED = LiveView("proposal_feed", read=read_feed)
