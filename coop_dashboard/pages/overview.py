"""The overview page ("/"): the cooperative's live numbers, straight from the chain."""

from __future__ import annotations

import reflex as rx

from coop_dashboard.components.address_chip import address_chip
from coop_dashboard.components.asset_table import asset_table
from coop_dashboard.components.error_banner import error_banner
from coop_dashboard.components.proposal_states import proposal_state_bars
from coop_dashboard.components.section_card import section_card
from coop_dashboard.components.stat_card import stat_card
from coop_dashboard.pages.registry import dashboard_page
from coop_dashboard.services.overview_view import ContractRow
from coop_dashboard.state.overview import OverviewState


def _status_badge() -> rx.Component:
    return rx.cond(
        OverviewState.has_error,
        rx.badge(rx.icon("wifi_off", size=12), "Offline", color_scheme="red", variant="soft"),
        rx.cond(
            OverviewState.has_facts,
            rx.badge(rx.icon("activity", size=12), "Live", color_scheme="green", variant="soft"),
            rx.badge("Connecting", color_scheme="gray", variant="soft"),
        ),
    )


def _header() -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.hstack(rx.heading("Overview", size="7"), _status_badge(), align="center"),
            rx.text(
                "Live state of the cooperative: governance, treasury and membership.",
                size="2",
                color_scheme="gray",
            ),
            spacing="1",
        ),
        rx.spacer(),
        rx.hstack(
            rx.cond(
                OverviewState.last_read_utc != "",
                rx.text(
                    "Updated ",
                    OverviewState.last_read_utc,
                    size="1",
                    color_scheme="gray",
                    id="last-updated",
                ),
            ),
            # No timer: new facts are pushed by the live-data hub.
            rx.button(
                rx.icon("refresh_cw", size=14),
                "Refresh",
                variant="surface",
                on_click=OverviewState.refresh,
                id="refresh-button",
            ),
            spacing="3",
            align="center",
        ),
        direction=rx.breakpoints(initial="column", sm="row"),
        gap="3",
        width="100%",
    )


def _error() -> rx.Component:
    return rx.cond(
        OverviewState.has_error,
        error_banner(
            OverviewState.error_title,
            OverviewState.error_message,
            hint=rx.text(
                rx.cond(
                    OverviewState.has_facts,
                    "The figures below are from the last successful read ("
                    + OverviewState.last_read_utc
                    + "). Retrying every few seconds.",
                    "Retrying every few seconds.",
                ),
                size="1",
                color_scheme="gray",
            ),
            id="chain-error",
        ),
    )


def _indexer_stall() -> rx.Component:
    """Counts and lists stop at the stalled block: say so, and why."""
    return rx.cond(
        OverviewState.view.indexer_stall != "",
        rx.callout(
            OverviewState.view.indexer_stall,
            icon="triangle_alert",
            color_scheme="amber",
            id="indexer-stall",
        ),
    )


def _stats() -> rx.Component:
    view = OverviewState.view
    return rx.grid(
        stat_card(
            "Chain ID",
            view.chain_id.display,
            exact=view.chain_id.exact,
            value_id="fact-chain-id",
            icon="network",
            caption=OverviewState.rpc_url,
        ),
        stat_card(
            "Latest block",
            view.block_number.display,
            exact=view.block_number.exact,
            value_id="fact-block-number",
            icon="blocks",
            caption=rx.hstack(
                rx.text(view.block_time_utc, size="1", color_scheme="gray", id="fact-block-time"),
                rx.text("·", size="1", color_scheme="gray"),
                rx.text(
                    rx.moment(view.block_time_iso, from_now=True, interval=5_000),
                    size="1",
                    color_scheme="gray",
                ),
                spacing="1",
                wrap="wrap",
            ),
        ),
        stat_card(
            "Total supply",
            view.token_supply.display,
            exact=view.token_supply.exact,
            value_id="fact-token-supply",
            icon="coins",
            caption=rx.text(
                rx.text.strong(view.token_symbol, id="fact-token-symbol"),
                " · ",
                rx.text.span(view.token_name, id="fact-token-name"),
                size="1",
                color_scheme="gray",
            ),
        ),
        stat_card(
            "Members",
            view.member_count.display,
            exact=view.member_count.exact,
            value_id="fact-member-count",
            icon="users",
            caption="Addresses holding governance tokens",
        ),
        stat_card(
            "Delegates",
            view.delegate_count.display,
            exact=view.delegate_count.exact,
            value_id="fact-delegate-count",
            icon="user_check",
            caption="Addresses with voting power",
        ),
        stat_card(
            "Proposals",
            view.proposal_count.display,
            exact=view.proposal_count.exact,
            value_id="fact-proposal-count",
            icon="vote",
            caption="Created on the governor",
        ),
        columns=rx.breakpoints(initial="1", sm="2", lg="3"),
        spacing="4",
        width="100%",
    )


def _treasury() -> rx.Component:
    view = OverviewState.view
    return section_card(
        "Treasury",
        "landmark",
        asset_table(view.treasury, amount_id_prefix="fact-treasury-"),
        action=address_chip(view.treasury_address, id="treasury-address"),
        description="Held by the timelock; spent only by executed proposals.",
    )


def _proposals() -> rx.Component:
    return section_card(
        "Proposals by state",
        "chart_bar",
        proposal_state_bars(OverviewState.view.proposals_by_state),
    )


def _contract_row(contract: ContractRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(contract.name, size="2")),
        rx.table.cell(
            rx.flex(
                address_chip(contract.address, custom_attrs={"data-contract": contract.name}),
                justify="end",
            ),
        ),
    )


def _contracts() -> rx.Component:
    return section_card(
        "Contracts",
        "file_text",
        rx.table.root(
            rx.table.body(rx.foreach(OverviewState.view.contracts, _contract_row)),
            width="100%",
            variant="ghost",
            id="contracts-table",
        ),
    )


def _facts() -> rx.Component:
    return rx.vstack(
        _stats(),
        rx.grid(
            _treasury(),
            _proposals(),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        _contracts(),
        spacing="4",
        width="100%",
        # Stale figures stay readable but visibly faded while the chain is away.
        opacity=rx.cond(OverviewState.has_error, "0.55", "1"),
        id="overview-facts",
    )


def _loading() -> rx.Component:
    return rx.center(
        rx.hstack(rx.spinner(size="3"), rx.text("Reading the chain…", color_scheme="gray")),
        padding_y="4em",
        width="100%",
    )


@dashboard_page(
    route="/",
    title="Overview",
    icon="layout_dashboard",
    order=0,
    description="Live state of the cooperative: governance, treasury and membership.",
    on_load=OverviewState.load,
    server_render=True,
)
def overview() -> rx.Component:
    return rx.vstack(
        _header(),
        _error(),
        _indexer_stall(),
        rx.cond(
            OverviewState.has_facts,
            _facts(),
            rx.cond(OverviewState.has_error, rx.fragment(), _loading()),
        ),
        spacing="5",
        width="100%",
    )
