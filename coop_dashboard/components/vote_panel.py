"""The proposal page's voting panel: readiness, reason, wallet vote and gasless vote."""

from __future__ import annotations

import reflex as rx

from coop_dashboard.components.section_card import section_card
from coop_dashboard.state.proposal_page import ProposalPageState
from coop_dashboard.state.tx import TxState

CHOICES = ((1, "For", "green"), (0, "Against", "red"), (2, "Abstain", "gray"))


def _readiness() -> rx.Component:
    return rx.vstack(
        rx.foreach(
            ProposalPageState.readiness,
            lambda message: rx.text(message, size="2", class_name="readiness-message"),
        ),
        rx.cond(
            ProposalPageState.can_fix_delegation,
            rx.button(
                rx.icon("user_round", size=14),
                "Delegate to myself",
                size="2",
                variant="soft",
                on_click=ProposalPageState.delegate_to_self,
                disabled=TxState.busy,
                id="readiness-self-delegate",
            ),
        ),
        spacing="1",
        custom_attrs={"data-power-at-snapshot": ProposalPageState.power_at_snapshot},
        id="vote-readiness",
        width="100%",
    )


def _callout_unless_empty(text: rx.Var[str] | str, icon: str, color: str, id: str) -> rx.Component:
    return rx.cond(text != "", rx.callout(text, icon=icon, color_scheme=color, id=id))


def vote_panel() -> rx.Component:
    return rx.cond(
        ProposalPageState.voting_open,
        section_card(
            "Your vote",
            "vote",
            _readiness(),
            rx.text_area(
                placeholder="Reason (optional, public)",
                value=ProposalPageState.reason,
                on_change=ProposalPageState.set_reason,
                id="vote-reason",
                width="100%",
                max_length=2_000,
            ),
            rx.hstack(
                *[
                    rx.button(
                        f"Vote {label}",
                        color_scheme=color,
                        on_click=ProposalPageState.vote(support),  # type: ignore[operator]
                        disabled=TxState.busy,
                        id=f"vote-{label.lower()}",
                    )
                    for support, label, color in CHOICES
                ],
                wrap="wrap",
            ),
            rx.hstack(
                rx.text("Or without paying gas:", size="2", color_scheme="gray"),
                *[
                    rx.button(
                        f"{label} (gasless)",
                        size="1",
                        variant="outline",
                        color_scheme=color,
                        on_click=ProposalPageState.vote_gasless(support),  # type: ignore[operator]
                        loading=ProposalPageState.gasless_busy,
                        disabled=ProposalPageState.gasless_paused,
                        id=f"vote-gasless-{label.lower()}",
                    )
                    for support, label, color in CHOICES
                ],
                align="center",
                wrap="wrap",
            ),
            # Why gasless voting is paused (not configured, balance floor, hourly budget).
            _callout_unless_empty(
                ProposalPageState.gasless_pause_reason, "pause", "amber", "gasless-paused"
            ),
            _callout_unless_empty(
                ProposalPageState.vote_notice, "triangle_alert", "red", "vote-notice"
            ),
            _callout_unless_empty(
                ProposalPageState.gasless_note, "circle_check", "green", "gasless-note"
            ),
            id="vote-panel",
        ),
    )
