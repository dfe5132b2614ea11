"""My access ("/access"): the signed-in account's license passes (renew them) and what its
datasets, curation and lineage earned (withdraw per currency)."""

from __future__ import annotations

import reflex as rx

from coop_dashboard.components.license_items import balance_row, earning_row, pass_row
from coop_dashboard.components.section_card import section_card
from coop_dashboard.components.when_changed import on_sign_in_change
from coop_dashboard.pages.guards import require_login
from coop_dashboard.pages.registry import dashboard_page
from coop_dashboard.state.access import AccessState as A

ROUTE = "/access"
DESCRIPTION = "Your dataset access passes, and what your datasets earned."


def _header(*cells: str) -> rx.Component:
    return rx.table.header(rx.table.row(*[rx.table.column_header_cell(c) for c in cells]))


def _passes() -> rx.Component:
    return section_card(
        "Access passes",
        "key_round",
        rx.cond(
            A.view.passes.length() > 0,  # type: ignore[attr-defined]
            rx.table.root(
                _header("Dataset", "Purpose", "Tier", "Expires", "State", ""),
                rx.table.body(rx.foreach(A.view.passes, lambda row: pass_row(row, A.renew))),
                size="1",
                width="100%",
            ),
            rx.text(
                "You hold no pass yet. Datasets sell them on their pages.",
                size="2",
                color_scheme="gray",
                id="access-no-passes",
            ),
        ),
        description=(
            "Soulbound: a pass stays with its holder. Renewing extends it from its expiry "
            "(or from now, if it expired) at its tier's current price."
        ),
        id="access-passes",
    )


def _earnings() -> rx.Component:
    return section_card(
        "Earnings",
        "hand_coins",
        rx.cond(
            A.view.balances.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(
                rx.table.root(
                    _header("Currency", "Credited", "Withdrawn", "Withdrawable", ""),
                    rx.table.body(
                        rx.foreach(A.view.balances, lambda row: balance_row(row, A.withdraw))
                    ),
                    size="1",
                    width="100%",
                    id="access-balances",
                ),
                rx.table.root(
                    _header("Dataset", "Earned as", "From", "Amount"),
                    rx.table.body(rx.foreach(A.view.earnings, earning_row)),
                    size="1",
                    width="100%",
                    id="access-earnings",
                ),
                width="100%",
            ),
            rx.text(
                "Nothing earned yet: contributors are paid for every sale of their datasets and "
                "of datasets derived from them, curators for the datasets they attested.",
                size="2",
                color_scheme="gray",
                id="access-no-earnings",
            ),
        ),
        description=(
            "Credited by DataLicensing at each sale; withdraw sends everything credited in "
            "one currency to your wallet."
        ),
        id="access-earnings-card",
    )


@require_login("your access passes and earnings")
def _body() -> rx.Component:
    return rx.vstack(
        rx.vstack(
            rx.heading("My access", size="7"),
            rx.text(DESCRIPTION, size="2", color_scheme="gray"),
            rx.cond(A.view.as_of != "", rx.text("As of ", A.view.as_of, size="1")),
            spacing="1",
        ),
        _passes(),
        _earnings(),
        spacing="4",
        width="100%",
    )


@dashboard_page(
    route=ROUTE,
    title="My access",
    icon="key_round",
    order=55,
    description=DESCRIPTION,
    on_load=A.load,
)
def access_body() -> rx.Component:
    return rx.fragment(
        _body(),
        # Signing in or out on this page shows the new account's passes.
        on_sign_in_change(A.refresh),
    )
