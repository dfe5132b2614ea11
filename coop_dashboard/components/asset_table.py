"""Balances of several assets (ETH and ERC20s) in one table."""

from __future__ import annotations

import reflex as rx
from reflex.vars import Var

from coop_dashboard.components.address_chip import address_chip
from coop_dashboard.components.exact_text import exact_text
from coop_dashboard.services.overview_view import AssetRow


def asset_table(
    assets: Var[list[AssetRow]] | list[AssetRow], *, amount_id_prefix: str
) -> rx.Component:
    """Each amount is `#<amount_id_prefix><SYMBOL>` with its exact value."""

    def row(asset: AssetRow) -> rx.Component:
        return rx.table.row(
            rx.table.cell(
                rx.hstack(
                    rx.badge(asset.symbol, variant="soft", size="2"),
                    # The native coin has no contract address.
                    rx.cond(asset.address != "", address_chip(asset.address)),
                    align="center",
                    spacing="2",
                )
            ),
            rx.table.cell(
                exact_text(
                    asset.amount.display,
                    asset.amount.exact,
                    weight="medium",
                    id=amount_id_prefix + asset.symbol,
                ),
                justify="end",
            ),
        )

    return rx.table.root(
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell("Asset"),
                rx.table.column_header_cell("Balance", justify="end"),
            )
        ),
        rx.table.body(rx.foreach(assets, row)),
        width="100%",
        variant="ghost",
    )
