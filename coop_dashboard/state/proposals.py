"""ProposalFeedState: the /proposals list (filters, search, sort, page), read from SQL."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import reflex as rx

from coop_dashboard.config import load_settings
from coop_dashboard.db.engine import get_engine
from coop_dashboard.services.governance.feed import FeedPage, FeedQuery, proposal_feed
from coop_dashboard.services.governance.feed_view import ProposalCard, proposal_card
from coop_dashboard.state.session import authenticated_address_now

# The page's timer re-reads the feed this often (milliseconds): votes arrive live.
FEED_REFRESH_MS = 5_000
PAGE_SIZE = 10
# Ignore a second refresh while one is under way, unless the first was lost.
STUCK_READ_AFTER_S = 60.0


def _read_feed(query: FeedQuery) -> tuple[list[ProposalCard], FeedPage]:
    page = proposal_feed(get_engine(load_settings().database_url), query)
    return [proposal_card(item, page.now) for item in page.items], page


class ProposalFeedState(rx.State):
    """What the feed shows; every filter change re-runs one SQL query."""

    cards: list[ProposalCard] = []
    total: int = 0
    page: int = 1
    page_count: int = 1
    state_filter: str = "all"
    search: str = ""
    sort: str = "newest"
    needs_my_vote: bool = False
    notice: str = ""
    loaded: bool = False
    loading: bool = False
    _started_at: float = 0.0

    async def _read(self, wants_mine: bool) -> tuple[list[ProposalCard], FeedPage] | None:
        """The feed page for the current filters; None when "needs my vote" lacks a voter
        (the state then says so)."""
        voter = await authenticated_address_now(self) if wants_mine else None
        async with self:
            query = FeedQuery(
                state=None if self.state_filter == "all" else self.state_filter,
                search=self.search,
                sort=self.sort,
                needs_vote_of=voter,
                page=self.page,
                page_size=PAGE_SIZE,
            )
        if wants_mine and voter is None:
            async with self:
                self.loading = False
                self.cards, self.total, self.page_count = [], 0, 1
                self.loaded = True
                self.notice = "Sign in to see the proposals waiting for your vote."
            return None
        return await asyncio.to_thread(_read_feed, query)

    @rx.event(background=True)
    async def refresh(self) -> None:
        async with self:
            if self.loading and time.time() - self._started_at < STUCK_READ_AFTER_S:
                return
            self.loading = True
            self._started_at = time.time()
            wants_mine = self.needs_my_vote
        try:
            outcome = await self._read(wants_mine)
        except BaseException as exc:
            # Failed, or cancelled (the tab navigated away or reloaded): never leave the
            # flag set, or every later refresh of this tab would wait for the stuck timeout.
            async with self:
                self.loading = False
                if isinstance(exc, Exception):
                    self.notice = "The proposal index cannot be read right now. Retrying shortly."
            raise
        if outcome is None:
            return
        cards, page = outcome
        async with self:
            self.loading = False
            self.loaded = True
            self.notice = ""
            self.cards = cards
            self.total = page.total
            self.page_count = page.page_count
            if self.page > page.page_count:
                self.page = page.page_count

    def _restart(self) -> ProposalFeedState:
        self.page = 1
        return self

    @rx.event
    def set_state_filter(self, value: str) -> Any:
        self._restart().state_filter = value
        return ProposalFeedState.refresh

    @rx.event
    def set_sort(self, value: str) -> Any:
        self._restart().sort = value
        return ProposalFeedState.refresh

    @rx.event
    def set_search(self, value: str) -> Any:
        self._restart().search = value
        return ProposalFeedState.refresh

    @rx.event
    def set_needs_my_vote(self, value: bool) -> Any:
        self._restart().needs_my_vote = value
        return ProposalFeedState.refresh

    @rx.event
    def next_page(self) -> Any:
        self.page = min(self.page + 1, self.page_count)
        return ProposalFeedState.refresh

    @rx.event
    def previous_page(self) -> Any:
        self.page = max(self.page - 1, 1)
        return ProposalFeedState.refresh
