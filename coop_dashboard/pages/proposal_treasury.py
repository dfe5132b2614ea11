"""The "Treasury impact" section of a proposal's page (a section, not a route)."""

from __future__ import annotations

import reflex as rx

from coop_dashboard.components.section_card import section_card
from coop_dashboard.services.treasury.impact_view import ImpactRow
from coop_dashboard.state.proposal_treasury import ProposalTreasuryState as S


def _row(row: ImpactRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row.symbol, weight="bold")),
        rx.table.cell(row.before),
        rx.table.cell(row.pays),
        rx.table.cell(rx.text(row.after, title=row.after_exact)),
        rx.table.cell(row.runway_after),
        rx.table.cell(
            rx.cond(
                row.breaches,
                rx.badge("below the floor", color_scheme="red"),
                rx.badge("ok", color_scheme="green"),
            )
        ),
        class_name="impact-row",
        custom_attrs={"data-symbol": row.symbol, "data-after": row.after_exact},
    )


def proposal_treasury_impact(proposal_key: rx.Var[str] | str) -> rx.Component:
    """Mounted again for each proposal (`key`), so it always reads the one in the address."""
    headers = ("Asset", "Treasury before", "Pays", "After", "Runway after", "Floor")
    return rx.box(
        rx.cond(
            S.impact.rows.length() > 0,  # type: ignore[attr-defined]
            section_card(
                "Treasury impact",
                "landmark",
                rx.cond(
                    S.impact.executed,
                    rx.text(
                        "Executed: already paid; before = the treasury without it.",
                        size="1",
                        color_scheme="gray",
                    ),
                ),
                rx.table.root(
                    rx.table.header(
                        rx.table.row(*[rx.table.column_header_cell(h) for h in headers])
                    ),
                    rx.table.body(rx.foreach(S.impact.rows, _row)),
                    width="100%",
                ),
                rx.text(S.impact.floor_text, size="1", color_scheme="gray"),
                id="proposal-treasury-impact",
            ),
        ),
        # Filled by the page's own load (ProposalPageState.load), in its first delta.
        key=proposal_key,
        width="100%",
    )
