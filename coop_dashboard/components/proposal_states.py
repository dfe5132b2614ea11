"""Proposal counts per governor state, as labelled bars."""

from __future__ import annotations

import reflex as rx
from reflex.vars import Var

from coop_dashboard.components.exact_text import exact_text
from coop_dashboard.components.share_bar import share_bar
from coop_dashboard.services.overview_view import StateRow

# One Radix color per governor state, so states read the same on every page.
STATE_COLORS: dict[str, str] = {
    "Pending": "gray",
    "Active": "blue",
    "Canceled": "gray",
    "Defeated": "red",
    "Succeeded": "green",
    "Queued": "amber",
    "Expired": "orange",
    "Executed": "teal",
}


def state_color(state: str | Var[str]) -> Var[str]:
    """The Radix color of a governor state held in a Var (gray for unknown states)."""
    return rx.match(state, *STATE_COLORS.items(), "gray")


def _state_bar(row: StateRow) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(row.state, size="2"),
            rx.spacer(),
            exact_text(
                row.count.display,
                row.count.exact,
                size="2",
                weight="bold",
                id="proposals-state-" + row.state,
            ),
            width="100%",
        ),
        share_bar(row.share_percent, 100, state_color(row.state)),
        spacing="1",
        width="100%",
    )


def proposal_state_bars(rows: Var[list[StateRow]] | list[StateRow]) -> rx.Component:
    """One bar per state; each count is `#proposals-state-<State>` with its exact value."""
    return rx.vstack(rx.foreach(rows, _state_bar), spacing="3", width="100%")
