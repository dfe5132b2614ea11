"""One proposal ("/proposals/[proposal_id]"): description, actions, timeline, votes, voting.

Registered under the feed (`parent`): a page per proposal has no navigation
entry of its own; it uses the same shell, with "Proposals" highlighted.
"""

from __future__ import annotations

import plotly.graph_objects as go
import reflex as rx

from coop_dashboard.components.address_chip import address_chip
from coop_dashboard.components.on_screen import after_paint, on_screen
from coop_dashboard.components.proposal_card import state_badge, vote_bars
from coop_dashboard.components.section_card import section_card
from coop_dashboard.components.vote_panel import vote_panel
from coop_dashboard.components.when_changed import on_sign_in_change
from coop_dashboard.pages.proposal_treasury import proposal_treasury_impact
from coop_dashboard.pages.registry import dashboard_page
from coop_dashboard.services.governance.proposal_view import ActionLine, TimelineEntry, VoteLine
from coop_dashboard.state.proposal_page import ProposalPageState

ROUTE = "/proposals/[proposal_id]"
FEED_ROUTE = "/proposals"


def _header() -> rx.Component:
    card = ProposalPageState.view.card
    return rx.vstack(
        rx.link(
            rx.hstack(rx.icon("arrow_left", size=14), rx.text("All proposals", size="2")),
            href=FEED_ROUTE,
        ),
        rx.hstack(
            state_badge(card.state),
            rx.heading(card.title, size="7", id="proposal-title"),
            align="center",
            spacing="3",
            wrap="wrap",
        ),
        rx.hstack(
            rx.text("Proposed by", size="2", color_scheme="gray"),
            address_chip(card.proposer),
            rx.text("·", color_scheme="gray"),
            rx.text(card.timing, size="2", color_scheme="gray", id="proposal-timing"),
            align="center",
            spacing="2",
            wrap="wrap",
        ),
        spacing="2",
        width="100%",
    )


def _tally() -> rx.Component:
    card = ProposalPageState.view.card
    return section_card(
        "Results",
        "chart_bar",
        vote_bars(card),
        rx.text(card.votes_label, size="1", color_scheme="gray", id="proposal-vote-count"),
        custom_attrs={
            "data-for": card.for_exact,
            "data-against": card.against_exact,
            "data-abstain": card.abstain_exact,
            "data-quorum": card.quorum_exact,
        },
        id="proposal-tally",
    )


def _lifecycle() -> rx.Component:
    return rx.cond(
        ProposalPageState.show_queue
        | ProposalPageState.show_execute
        | ProposalPageState.show_cancel,
        section_card(
            "Next step",
            "timer",
            rx.cond(
                ProposalPageState.show_queue,
                rx.hstack(
                    rx.text("The vote passed. ", ProposalPageState.queue_note, size="2"),
                    rx.button("Queue", on_click=ProposalPageState.queue, id="proposal-queue"),
                    align="center",
                ),
            ),
            rx.cond(
                ProposalPageState.show_execute,
                rx.hstack(
                    rx.text(ProposalPageState.execute_note, size="2", id="proposal-execute-note"),
                    rx.button(
                        "Execute",
                        on_click=ProposalPageState.execute,
                        disabled=~ProposalPageState.execute_ready,
                        id="proposal-execute",
                    ),
                    align="center",
                ),
            ),
            rx.cond(
                ProposalPageState.show_cancel,
                rx.hstack(
                    rx.text("You proposed this; you can cancel it before voting starts.", size="2"),
                    rx.button(
                        "Cancel proposal",
                        color_scheme="red",
                        variant="soft",
                        on_click=ProposalPageState.cancel,
                        id="proposal-cancel",
                    ),
                    align="center",
                ),
            ),
            id="lifecycle",
        ),
    )


def _action(action: ActionLine) -> rx.Component:
    return rx.vstack(
        rx.text(action.summary, size="2", weight="medium", class_name="action-summary"),
        rx.hstack(
            rx.text("Target", size="1", color_scheme="gray"),
            rx.code(action.target, size="1"),
            rx.cond(action.function != "", rx.code(action.function, size="1")),
            wrap="wrap",
        ),
        rx.el.details(
            rx.el.summary(rx.text("Raw calldata", size="1", as_="span")),
            rx.code(action.calldata, size="1", word_break="break_all"),
        ),
        spacing="1",
        width="100%",
    )


def _timeline_entry(entry: TimelineEntry) -> rx.Component:
    return rx.hstack(
        # Static icons (not one named by a Var: components/tx_status.py says why).
        rx.cond(entry.done, rx.icon("circle_check", size=14), rx.icon("circle", size=14)),
        rx.text(entry.label, size="2", weight="medium"),
        rx.spacer(),
        rx.text(entry.when, size="2", color_scheme="gray"),
        width="100%",
        class_name="timeline-entry",
    )


def _vote_row(vote: VoteLine) -> rx.Component:
    return rx.table.row(
        rx.table.cell(address_chip(vote.voter)),
        rx.table.cell(vote.support),
        rx.table.cell(rx.text(vote.weight, title=vote.weight_exact)),
        rx.table.cell(rx.text(vote.reason, size="2")),
        class_name="vote-row",
        custom_attrs={"data-voter": vote.voter},
    )


def _votes() -> rx.Component:
    return section_card(
        "Votes",
        "list",
        rx.cond(
            ProposalPageState.has_votes,
            rx.vstack(
                # Plotly (its basic bundle: scatter lines, 350 KB) loads only once half of
                # the chart is on screen: at 1280x900 its top edge sits just above the fold
                # (y ~775 of 900) for a signed-out visitor, which alone fetched the bundle.
                on_screen(
                    rx.plotly.basic(
                        # Plotly JSON (a dict in the state: proposal_live.py says why).
                        data=ProposalPageState.figure.to(go.Figure),  # type: ignore[attr-defined]
                        width="100%",
                        height="280px",
                    ),
                    min_height="280px",
                    visible_share=0.5,
                    id="proposal-chart",
                ),
                # Below the fold: its rows (up to 200) render in the frame after the
                # top of the page, not in the same commit as the tally.
                after_paint(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                rx.table.column_header_cell("Voter"),
                                rx.table.column_header_cell("Vote"),
                                rx.table.column_header_cell("Weight"),
                                rx.table.column_header_cell("Reason"),
                            )
                        ),
                        rx.table.body(rx.foreach(ProposalPageState.view.votes, _vote_row)),
                        width="100%",
                        id="proposal-votes",
                    ),
                    min_height="400px",
                ),
                width="100%",
            ),
            rx.text("No votes yet.", size="2", color_scheme="gray", id="proposal-no-votes"),
        ),
        action=rx.button(
            rx.icon("download", size=14),
            "CSV",
            size="1",
            variant="soft",
            on_click=ProposalPageState.download_csv,
            id="proposal-csv",
        ),
    )


def _found() -> rx.Component:
    view = ProposalPageState.view
    return rx.vstack(
        _header(),
        _tally(),
        _lifecycle(),
        vote_panel(),
        proposal_treasury_impact(ProposalPageState.proposal_id),
        rx.grid(
            section_card(
                "Description",
                "file_text",
                rx.box(
                    rx.html(view.description_html),
                    class_name="proposal-description markdown-body",
                    id="proposal-description",
                ),
            ),
            rx.vstack(
                section_card(
                    "Actions",
                    "zap",
                    rx.cond(
                        view.actions_decoded,
                        rx.fragment(),
                        rx.text(
                            "Shown raw: the chain could not be asked to name them.",
                            size="1",
                            color_scheme="gray",
                        ),
                    ),
                    rx.foreach(view.actions, _action),
                    id="proposal-actions",
                ),
                section_card(
                    "Timeline",
                    "calendar",
                    rx.foreach(view.timeline, _timeline_entry),
                    id="proposal-timeline",
                ),
                width="100%",
            ),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        _votes(),
        spacing="4",
        width="100%",
    )


@dashboard_page(
    route=ROUTE,
    title="Proposal",
    parent=FEED_ROUTE,
    on_load=ProposalPageState.load,
    server_render=True,
)
def proposal_detail_body() -> rx.Component:
    return rx.fragment(
        rx.cond(
            ProposalPageState.found,
            rx.cond(
                ProposalPageState.loaded,
                _found(),
                rx.center(rx.spinner(size="3"), padding_y="4em", width="100%"),
            ),
            rx.callout(
                "This proposal is not in the index. It may be too new, or the link is wrong.",
                icon="search_x",
                id="proposal-not-found",
            ),
        ),
        # No timer: the tally, votes and state (and a proposal too new for the index
        # when it arrives) are pushed by the live-data hub. Signing in or out here
        # re-asks whether this member can vote (the page's load asked on arrival).
        on_sign_in_change(ProposalPageState.check_readiness),
    )
