"""ProposalFeedState: the /proposals list (filters, search, sort, page), read from SQL.

Live through the hub (state/live.py): on_load shows the first page in the same
event and starts the tab's follower; new votes and proposals arrive as pushes,
once per indexed batch, only when this tab's page of the feed changed.

A control change is a normal (sequential) event: Reflex queues a tab's events,
so a change made while another one reads is handled right after it, never
dropped, and each delta carries the controls together with the cards that
match them (one delta per click).
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from coop_dashboard.services.governance.feed import SORTS, FeedQuery
from coop_dashboard.services.governance.feed_live import FEED, STATE_FILTERS, FeedResult
from coop_dashboard.services.governance.feed_view import ProposalCard
from coop_dashboard.services.live_data import LiveReadError
from coop_dashboard.state.live import ShowSuperseded, follow_live, show_live, stop_live
from coop_dashboard.state.server_render import send_whole
from coop_dashboard.state.session import authenticated_address_locked

PAGE_SIZE = 10
MAX_SEARCH_CHARS = 200
UNREADABLE = "The proposal index cannot be read right now. Retrying shortly."


class ProposalFeedState(rx.State):
    """What the feed shows; every control change shows the matching page of the feed."""

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
    # The query the controls select (None: "needs my vote" while signed out).
    _query: FeedQuery | None = None

    def _apply(self, result: FeedResult) -> None:
        self.cards = result.cards
        self.total = result.total
        self.page_count = result.page_count
        self.loaded = True
        self.notice = ""

    async def _show(self) -> None:
        """Show the page of the feed the controls select (the caller holds the lock)."""
        voter = await authenticated_address_locked(self) if self.needs_my_vote else None
        if self.needs_my_vote and voter is None:
            self._query = None
            stop_live(self, FEED)
            self.cards, self.total, self.page_count = [], 0, 1
            self.loaded = True
            self.notice = "Sign in to see the proposals waiting for your vote."
            return
        for _ in range(2):  # a second time when the page is past the (new) last page
            self._query = FeedQuery(
                state=None if self.state_filter == "all" else self.state_filter,
                search=self.search,
                sort=self.sort,
                needs_vote_of=voter,
                page=self.page,
                page_size=PAGE_SIZE,
            )
            try:
                result = await show_live(self, FEED, self._query)
            except ShowSuperseded:
                return  # a newer change of the controls shows its own page
            except LiveReadError:
                self.notice = UNREADABLE
                return
            self._apply(result)
            if self.page <= result.page_count:
                return
            self.page = result.page_count

    @rx.event
    async def load(self) -> Any:
        """on_load: the first page in the same event, then follow it live."""
        await self._show()
        send_whole(self)
        return ProposalFeedState.follow

    @rx.event(background=True)
    async def follow(self) -> None:
        await follow_live(self, FEED, _shown_query, ProposalFeedState._apply)

    def _restart(self) -> ProposalFeedState:
        self.page = 1
        return self

    @rx.event
    async def set_state_filter(self, value: str) -> None:
        self._restart().state_filter = value if value in STATE_FILTERS else "all"
        await self._show()

    @rx.event
    async def set_sort(self, value: str) -> None:
        self._restart().sort = value if value in SORTS else "newest"
        await self._show()

    @rx.event
    async def set_search(self, value: str) -> None:
        self._restart().search = value[:MAX_SEARCH_CHARS] if isinstance(value, str) else ""
        await self._show()

    @rx.event
    async def set_needs_my_vote(self, value: bool) -> None:
        self._restart().needs_my_vote = value is True
        await self._show()

    @rx.event
    async def next_page(self) -> None:
        self.page = min(self.page + 1, self.page_count)
        await self._show()

    @rx.event
    async def previous_page(self) -> None:
        self.page = max(self.page - 1, 1)
        await self._show()

    @rx.event
    async def refresh(self) -> None:
        """Show the current controls' page again (after this tab's own write)."""
        await self._show()


def _shown_query(state: ProposalFeedState) -> FeedQuery | None:
    return state._query
