"""One proposal in the feed: title, proposer, state, vote bars, quorum and timing.

Drawn with plain elements wearing Radix Themes' classes (components/radix_classes.py
says why): a feed page renders ten of these in the same commit that shows its data.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from coop_dashboard.components import radix_classes as rc
from coop_dashboard.components.address_chip import address_chip
from coop_dashboard.components.proposal_states import state_color
from coop_dashboard.components.share_bar import share_bar


def state_badge(state: Any) -> rx.Component:
    """The state as a soft Radix badge in its color (proposal_states.STATE_COLORS)."""
    return rx.el.span(
        state,
        class_name=f"{rc.BADGE_1_SOFT} state-badge",
        custom_attrs={"data-accent-color": state_color(state)},
    )


def _bar(label: str, amount: Any, exact: Any, percent: Any, color: str) -> rx.Component:
    return rx.el.div(
        rx.el.div(
            rx.el.p(label, class_name=rc.TEXT_1),
            rx.el.div(class_name=rc.SPACER),
            rx.el.p(
                amount,
                title=exact,
                class_name=f"{rc.TEXT_1_MEDIUM} votes-{label.lower()}",
                custom_attrs={"data-value": exact},  # base units, as the Governor counts
            ),
            class_name=f"{rc.row('3')} {rc.FILL}",
        ),
        share_bar(percent, 10_000, color),
        class_name=f"{rc.column('1')} {rc.FILL}",
    )


def vote_bars(card: Any) -> rx.Component:
    """For / against / abstain as shares of the votes cast, then quorum progress."""
    return rx.el.div(
        _bar("For", card.for_votes, card.for_exact, card.for_bp, "green"),
        _bar("Against", card.against_votes, card.against_exact, card.against_bp, "red"),
        _bar("Abstain", card.abstain_votes, card.abstain_exact, card.abstain_bp, "gray"),
        rx.el.div(
            rx.el.div(
                rx.el.p("Quorum", class_name=rc.TEXT_1),
                rx.el.div(class_name=rc.SPACER),
                rx.el.p(card.quorum_label, class_name=rc.TEXT_1_MEDIUM),
                class_name=f"{rc.row('3')} {rc.FILL}",
            ),
            share_bar(card.quorum_bp, 100, rx.cond(card.quorum_reached, "teal", "amber")),
            class_name=f"{rc.column('1')} {rc.FILL}",
        ),
        class_name=f"{rc.GRID_1_2_4} {rc.FILL}",
    )


def _gray_text(text: Any, class_name: str = "") -> rx.Component:
    return rx.el.p(
        text,
        class_name=f"{rc.TEXT_1} {class_name}".strip(),
        custom_attrs={"data-accent-color": "gray"},
    )


def proposal_card(card: Any) -> rx.Component:
    return rx.el.div(
        rx.el.div(
            rx.el.div(
                state_badge(card.state),
                # Radix's link: React Router's, so opening a proposal stays in the page.
                rx.link(
                    rx.el.h3(card.title, class_name=rc.HEADING_4),
                    href="/proposals/" + card.proposal_id,
                    class_name="proposal-title",
                ),
                rx.el.div(class_name=rc.SPACER),
                _gray_text(card.timing, "proposal-timing"),
                class_name=f"{rc.row('3', align='center', wrap=True)} {rc.FILL}",
            ),
            rx.el.div(
                _gray_text("Proposed by"),
                address_chip(card.proposer),
                _gray_text(card.votes_label),
                class_name=rc.row("2", align="center"),
            ),
            vote_bars(card),
            class_name=f"{rc.column('3')} {rc.FILL}",
        ),
        class_name=f"{rc.CARD} proposal-card {rc.FILL}",
        custom_attrs={"data-proposal-id": card.proposal_id, "data-state": card.state},
    )
