"""One proposal in the feed: title, proposer, state, vote bars, quorum and timing."""

from __future__ import annotations

from typing import Any

import reflex as rx

from coop_dashboard.components.address_chip import address_chip
from coop_dashboard.components.proposal_states import state_color
from coop_dashboard.components.share_bar import share_bar


def state_badge(state: Any) -> rx.Component:
    return rx.badge(
        state, color_scheme=state_color(state), variant="soft", class_name="state-badge"
    )


def _bar(label: str, amount: Any, exact: Any, percent: Any, color: str) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(label, size="1"),
            rx.spacer(),
            rx.text(
                amount,
                size="1",
                weight="medium",
                title=exact,
                class_name=f"votes-{label.lower()}",
                custom_attrs={"data-value": exact},  # base units, as the Governor counts
            ),
            width="100%",
        ),
        share_bar(percent, 10_000, color),
        spacing="1",
        width="100%",
    )


def vote_bars(card: Any) -> rx.Component:
    """For / against / abstain as shares of the votes cast, then quorum progress."""
    return rx.grid(
        _bar("For", card.for_votes, card.for_exact, card.for_bp, "green"),
        _bar("Against", card.against_votes, card.against_exact, card.against_bp, "red"),
        _bar("Abstain", card.abstain_votes, card.abstain_exact, card.abstain_bp, "gray"),
        rx.vstack(
            rx.hstack(
                rx.text("Quorum", size="1"),
                rx.spacer(),
                rx.text(card.quorum_label, size="1", weight="medium"),
                width="100%",
            ),
            share_bar(card.quorum_bp, 100, rx.cond(card.quorum_reached, "teal", "amber")),
            spacing="1",
            width="100%",
        ),
        columns=rx.breakpoints(initial="1", sm="2", md="4"),
        spacing="3",
        width="100%",
    )


def proposal_card(card: Any) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                state_badge(card.state),
                rx.link(
                    rx.heading(card.title, size="4"),
                    href="/proposals/" + card.proposal_id,
                    class_name="proposal-title",
                ),
                rx.spacer(),
                rx.text(card.timing, size="1", color_scheme="gray", class_name="proposal-timing"),
                align="center",
                spacing="3",
                width="100%",
                wrap="wrap",
            ),
            rx.hstack(
                rx.text("Proposed by", size="1", color_scheme="gray"),
                address_chip(card.proposer),
                rx.text(card.votes_label, size="1", color_scheme="gray"),
                align="center",
                spacing="2",
            ),
            vote_bars(card),
            spacing="3",
            width="100%",
        ),
        width="100%",
        class_name="proposal-card",
        custom_attrs={"data-proposal-id": card.proposal_id, "data-state": card.state},
    )
