"""The feed's state through the live-data hub: the cards always match the controls.

Drives ProposalFeedState's handlers in process on a real SQLite index: a read
is slowed down, and a filter changes while it runs (the lost-filter race the
old `refresh` had: it ignored a request while one was running, so the cards
kept showing the old filter for up to 5 s).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from reflex.state import State

import coop_dashboard.state.proposals as feed_state
from coop_dashboard.services.governance.feed import FeedQuery
from coop_dashboard.services.governance.feed_live import FeedResult, read_feed
from coop_dashboard.services.live_data import LiveView, live_hub
from coop_dashboard.state.proposals import ProposalFeedState
from tests.unit.governance_ui.feed_rows import NOW, add_proposal, app_index

DAY = 86_400
SLOW_READ_S = 0.6


@pytest.fixture
def feed_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with app_index(tmp_path / "feed.db", monkeypatch) as engine:
        add_proposal(
            engine, 1, block=10, title="Pending", vote_start=NOW + DAY, vote_end=NOW + 2 * DAY
        )
        for number in (2, 3):
            add_proposal(
                engine,
                number,
                block=10 * number,
                title=f"Active {number}",
                vote_start=NOW - DAY,
                vote_end=NOW + DAY,
                tally=(1, 0, 0, 1),
            )
        add_proposal(
            engine,
            4,
            block=40,
            title="Canceled",
            vote_start=NOW + DAY,
            vote_end=NOW + 2 * DAY,
            transitions=("canceled",),
        )
        yield


@pytest.fixture
def slow_unfiltered_reads(monkeypatch: pytest.MonkeyPatch) -> list[FeedQuery]:
    """The feed's view, with the read of the unfiltered feed taking SLOW_READ_S."""
    reads: list[FeedQuery] = []

    def read(query: FeedQuery) -> FeedResult:
        reads.append(query)
        if query.state is None:
            time.sleep(SLOW_READ_S)
        return read_feed(query)

    monkeypatch.setattr(feed_state, "FEED", LiveView("proposal_feed_slow", read=read))
    return reads


async def _feed_state() -> ProposalFeedState:
    root = State(_reflex_internal_init=True)  # type: ignore[call-arg]
    return await root.get_state(ProposalFeedState)


def _card_states(feed: ProposalFeedState) -> set[str]:
    return {card.state.lower() for card in feed.cards}


@pytest.mark.usefixtures("feed_database")
def test_a_filter_changed_during_a_slow_read_ends_with_matching_cards(
    slow_unfiltered_reads: list[FeedQuery],
) -> None:
    async def scenario() -> None:
        feed = await _feed_state()
        hub = live_hub()
        try:
            # The page loads (slow unfiltered read); the member picks "active" meanwhile.
            loading = asyncio.ensure_future(ProposalFeedState.load.fn(feed))  # type: ignore[attr-defined]
            await asyncio.sleep(SLOW_READ_S / 4)
            await ProposalFeedState.set_state_filter.fn(feed, "active")  # type: ignore[attr-defined]
            await loading
            assert feed.state_filter == "active"
            assert _card_states(feed) == {"active"}
            assert sorted(card.proposal_id for card in feed.cards) == ["2", "3"]
            assert feed.total == 2
            # Nothing later brings the unfiltered cards back.
            await asyncio.sleep(SLOW_READ_S)
            assert _card_states(feed) == {"active"}
        finally:
            hub.stop()

    asyncio.run(scenario())


@pytest.mark.usefixtures("feed_database", "slow_unfiltered_reads")
def test_one_click_sets_the_control_and_its_cards_in_one_handler() -> None:
    async def scenario() -> None:
        feed = await _feed_state()
        hub = live_hub()
        try:
            await ProposalFeedState.load.fn(feed)  # type: ignore[attr-defined]
            assert feed.total == 4
            feed._clean()
            await ProposalFeedState.set_state_filter.fn(feed, "canceled")  # type: ignore[attr-defined]
            # The control and the matching cards change in the same event: one delta.
            assert {"state_filter", "cards", "total"} <= feed.dirty_vars
            assert _card_states(feed) == {"canceled"}
        finally:
            hub.stop()

    asyncio.run(scenario())


@pytest.mark.usefixtures("feed_database")
def test_hostile_control_values_fall_back_to_defaults(
    slow_unfiltered_reads: list[FeedQuery],
) -> None:
    async def scenario() -> None:
        feed = await _feed_state()
        hub = live_hub()
        try:
            await ProposalFeedState.set_state_filter.fn(feed, "'; DROP TABLE proposals")  # type: ignore[attr-defined]
            await ProposalFeedState.set_sort.fn(feed, "<script>")  # type: ignore[attr-defined]
            await ProposalFeedState.set_search.fn(feed, "x" * 100_000)  # type: ignore[attr-defined]
            assert (feed.state_filter, feed.sort) == ("all", "newest")
            assert len(feed.search) <= feed_state.MAX_SEARCH_CHARS
            assert feed.notice == ""
        finally:
            hub.stop()

    asyncio.run(scenario())
