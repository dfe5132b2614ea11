"""The proposal feed ("/proposals"): every proposal, filtered, searched, sorted, paginated."""

from __future__ import annotations

import reflex as rx

from coop_dashboard.components.filter_select import (
    filter_option,
    filter_search,
    filter_select,
)
from coop_dashboard.components.pager import pager
from coop_dashboard.components.proposal_card import proposal_card
from coop_dashboard.pages.registry import dashboard_page
from coop_dashboard.services.governance.feed import PROPOSAL_STATES
from coop_dashboard.state.proposals import ProposalFeedState

DESCRIPTION = "Every proposal of the cooperative: what is being decided, and how the vote stands."
SORT_LABELS = {"newest": "Newest", "ending_soon": "Ending soon", "most_votes": "Most votes"}


def _header() -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.heading("Proposals", size="7"),
            rx.text(DESCRIPTION, size="2", color_scheme="gray"),
            spacing="1",
        ),
        rx.spacer(),
        rx.hstack(
            # New votes and proposals are pushed by the live-data hub (no timer).
            rx.link(rx.button(rx.icon("plus", size=15), "New proposal"), href="/proposals/new"),
            spacing="3",
            align="center",
        ),
        direction=rx.breakpoints(initial="column", sm="row"),
        gap="3",
        width="100%",
    )


def _filters() -> rx.Component:
    return rx.flex(
        filter_search(
            "feed-search",
            ProposalFeedState.search,
            ProposalFeedState.set_search,
            placeholder="Search titles and descriptions",
        ),
        filter_select(
            "feed-state",
            ProposalFeedState.state_filter,
            ProposalFeedState.set_state_filter,
            filter_option("All states", "all"),
            *[filter_option(s.capitalize(), s) for s in PROPOSAL_STATES],
            label="Proposal state",
        ),
        filter_select(
            "feed-sort",
            ProposalFeedState.sort,
            ProposalFeedState.set_sort,
            *[filter_option(label, key) for key, label in SORT_LABELS.items()],
            label="Sort proposals",
        ),
        rx.hstack(
            rx.switch(
                checked=ProposalFeedState.needs_my_vote,
                on_change=ProposalFeedState.set_needs_my_vote,
                id="feed-needs-my-vote",
            ),
            rx.text("Needs my vote", size="2"),
            align="center",
            spacing="2",
        ),
        gap="3",
        wrap="wrap",
        align="center",
        width="100%",
    )


def _list() -> rx.Component:
    return rx.cond(
        ProposalFeedState.cards.length() > 0,  # type: ignore[attr-defined]
        rx.vstack(
            rx.foreach(ProposalFeedState.cards, proposal_card),
            spacing="3",
            width="100%",
            id="feed-list",
        ),
        rx.cond(
            ProposalFeedState.loaded,
            rx.callout("No proposal matches.", icon="info", id="feed-empty"),
            rx.center(rx.spinner(size="3"), padding_y="3em", width="100%"),
        ),
    )


@dashboard_page(
    route="/proposals",
    title="Proposals",
    icon="vote",
    order=10,
    description=DESCRIPTION,
    on_load=ProposalFeedState.load,
    server_render=True,
)
def proposals() -> rx.Component:
    return rx.vstack(
        _header(),
        _filters(),
        rx.cond(
            ProposalFeedState.notice != "",
            rx.callout(
                ProposalFeedState.notice,
                icon="triangle_alert",
                color_scheme="amber",
                id="feed-notice",
            ),
        ),
        _list(),
        pager(
            ProposalFeedState.total,
            " proposals",
            page=ProposalFeedState.page,
            page_count=ProposalFeedState.page_count,
            on_previous=ProposalFeedState.previous_page,
            on_next=ProposalFeedState.next_page,
            id_prefix="feed",
        ),
        spacing="4",
        width="100%",
    )
