"""The treasury ("/treasury"): holdings, balance over time, flows by category, movements
with members' notes, CSV export."""

from __future__ import annotations

import plotly.graph_objects as go
import reflex as rx

from coop_dashboard.components.on_screen import on_screen
from coop_dashboard.components.section_card import section_card
from coop_dashboard.pages.registry import dashboard_page
from coop_dashboard.services.treasury.commitments import RUNWAY_METHOD
from coop_dashboard.services.treasury.periods import Period, Window
from coop_dashboard.services.treasury.view import (
    SHARE_METHOD,
    CategoryTotal,
    CommitmentRow,
    HoldingRow,
    MovementRow,
    NoteRow,
    RunwayRow,
    UnrecognisedRow,
)
from coop_dashboard.state.treasury import TreasuryState as S

_CHART_HEIGHT = "320px"


def _holding_row(row: HoldingRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row.symbol, weight="bold")),
        rx.table.cell(rx.text(row.amount, title=row.exact, class_name="holding-amount")),
        rx.table.cell(rx.text(row.share, color_scheme="gray")),
        class_name="holding-row",
        custom_attrs={"data-asset": row.asset, "data-exact": row.exact, "data-symbol": row.symbol},
    )


def _unrecognised_row(row: UnrecognisedRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.code(row.token)),
        rx.table.cell(row.received),
        rx.table.cell(row.sent),
        rx.table.cell(row.movements),
        class_name="unrecognised-row",
    )


def _holdings() -> rx.Component:
    return section_card(
        "Holdings",
        "landmark",
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("Asset"),
                    rx.table.column_header_cell("Amount"),
                    rx.table.column_header_cell("Share"),
                )
            ),
            rx.table.body(rx.foreach(S.view.holdings, _holding_row)),
            width="100%",
            id="treasury-holdings",
        ),
        rx.text(SHARE_METHOD, size="1", color_scheme="gray"),
        rx.cond(
            S.view.unrecognised.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(
                rx.text(
                    "Unrecognised tokens (not in the deployment manifest: never counted "
                    "as holdings; amounts in the token's own base units, as it claims)",
                    size="2",
                    weight="bold",
                ),
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("Token"),
                            rx.table.column_header_cell("Received"),
                            rx.table.column_header_cell("Sent"),
                            rx.table.column_header_cell("Movements"),
                        )
                    ),
                    rx.table.body(rx.foreach(S.view.unrecognised, _unrecognised_row)),
                    width="100%",
                    id="treasury-unrecognised",
                ),
                width="100%",
            ),
        ),
        description=f"As indexed at block {S.view.block_number} ({S.view.as_of}).",
    )


def _controls() -> rx.Component:
    return rx.hstack(
        rx.select(S.view.asset_symbols, value=S.view.asset, on_change=S.set_asset, id="asset"),
        rx.segmented_control.root(
            *[rx.segmented_control.item(p.value, value=p.value) for p in Period],
            value=S.view.period,
            on_change=S.set_period,
            id="period",
        ),
        rx.segmented_control.root(
            *[rx.segmented_control.item(w.value, value=w.value) for w in Window],
            value=S.view.window,
            on_change=S.set_window,
            id="window",
        ),
        spacing="3",
        wrap="wrap",
    )


def _category_total(row: CategoryTotal) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.label),
        rx.table.cell(row.inflow),
        rx.table.cell(row.outflow),
        class_name="category-total",
        custom_attrs={"data-category": row.category},
    )


def _charts() -> rx.Component:
    return section_card(
        "Balance and flows",
        "chart_column",
        _controls(),
        on_screen(
            rx.plotly.cartesian(
                # Plotly JSON (a dict in the view: services/plotly_json.py says why).
                data=S.view.balance_figure.to(go.Figure),  # type: ignore[attr-defined]
                width="100%",
                height=_CHART_HEIGHT,
            ),
            min_height=_CHART_HEIGHT,
            id="treasury-balance-chart",
        ),
        on_screen(
            rx.plotly.cartesian(
                data=S.view.flows_figure.to(go.Figure),  # type: ignore[attr-defined]
                width="100%",
                height=_CHART_HEIGHT,
                on_click=S.bar_clicked,
            ),
            min_height=_CHART_HEIGHT,
            id="treasury-flows-chart",
        ),
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("Category"),
                    rx.table.column_header_cell("In (window)"),
                    rx.table.column_header_cell("Out (window)"),
                )
            ),
            rx.table.body(rx.foreach(S.view.category_totals, _category_total)),
            width="100%",
            id="treasury-category-totals",
        ),
        description=(
            "End-of-period balance and flows by category, on the chain's clock (UTC). "
            "Click a bar to list its movements below. Categories not in use yet "
            "(license revenue, job bounties) show as zero."
        ),
    )


def _commitment_row(row: CommitmentRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(row.title, href="/proposals/" + row.proposal_id)),
        rx.table.cell(rx.badge(row.state)),
        rx.table.cell(row.payouts),
        class_name="commitment-row",
    )


def _runway_row(row: RunwayRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row.symbol, weight="bold")),
        rx.table.cell(row.holdings),
        rx.table.cell(row.committed),
        rx.table.cell(rx.text(row.after, title=row.after_exact)),
        rx.table.cell(row.monthly_outflow),
        rx.table.cell(rx.text(row.runway, weight="bold")),
        rx.table.cell(row.escrowed),
        class_name="runway-row",
        custom_attrs={"data-symbol": row.symbol, "data-after": row.after_exact},
    )


def _commitments() -> rx.Component:
    headers = ("Asset", "Holdings", "Committed", "After", "Monthly outflow", "Runway")
    return section_card(
        "Commitments and runway",
        "hourglass",
        rx.cond(
            S.view.commitments.length() > 0,  # type: ignore[attr-defined]
            rx.table.root(
                rx.table.body(rx.foreach(S.view.commitments, _commitment_row)),
                width="100%",
                id="treasury-commitments",
            ),
            rx.text("No queued or succeeded proposal pays out of the treasury.", size="2"),
        ),
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[rx.table.column_header_cell(h) for h in headers],
                    rx.table.column_header_cell("Bounties escrowed (open jobs)"),
                )
            ),
            rx.table.body(rx.foreach(S.view.runways, _runway_row)),
            width="100%",
            id="treasury-runway",
        ),
        rx.text(RUNWAY_METHOD, size="1", color_scheme="gray"),
    )


def _note(note: NoteRow) -> rx.Component:
    return rx.hstack(
        rx.cond(note.tag != "", rx.badge(note.tag)),
        rx.text(note.text, size="1"),
        rx.text("— ", note.author_short, size="1", color_scheme="gray", title=note.author),
        class_name="movement-note",
        custom_attrs={"data-author": note.author},
        spacing="1",
    )


def _note_form(row: MovementRow) -> rx.Component:
    return rx.cond(
        S.note_for == row.movement_id,
        rx.vstack(
            rx.input(
                placeholder="Note (plain text, 280 characters)",
                value=S.note_text,
                on_change=S.set_note_text,
                id="note-text",
            ),
            rx.input(placeholder="tag", value=S.note_tag, on_change=S.set_note_tag, id="note-tag"),
            rx.button("Save note", on_click=S.save_note, size="1", id="note-save"),
            rx.cond(S.note_message != "", rx.text(S.note_message, color_scheme="red", size="1")),
            id="note-form",
        ),
        rx.button(
            "Add note",
            variant="ghost",
            size="1",
            on_click=S.open_note(row.movement_id),  # type: ignore[operator]
            class_name="note-open",
        ),
    )


def _movement_row(row: MovementRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row.time, size="1")),
        rx.table.cell(rx.badge(row.direction)),
        rx.table.cell(rx.text(row.amount, title=row.exact)),
        rx.table.cell(row.category),
        rx.table.cell(rx.text(row.counterparty_short, title=row.counterparty)),
        rx.table.cell(
            rx.cond(
                row.tx_hash != "",
                rx.code(row.tx_hash[:10], title=row.tx_hash),
                rx.text("—"),
            )
        ),
        rx.table.cell(
            rx.cond(
                row.proposal_id != "",
                rx.link("proposal", href="/proposals/" + row.proposal_id),
                rx.text("—"),
            )
        ),
        rx.table.cell(rx.vstack(rx.foreach(row.notes, _note), _note_form(row), spacing="1")),
        class_name="movement-row",
        custom_attrs={"data-movement": row.movement_id, "data-exact": row.exact},
    )


def _movements() -> rx.Component:
    return section_card(
        "Movements",
        "list",
        rx.hstack(
            rx.text("Showing: ", S.view.filter_text, " (", S.view.movement_count, ")", size="2"),
            rx.button("Show all", on_click=S.clear_filter, size="1", variant="soft"),
            id="movement-filter",
        ),
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[
                        rx.table.column_header_cell(h)
                        for h in (
                            "Time (UTC)",
                            "",
                            "Amount",
                            "Category",
                            "Counterparty",
                            "Tx",
                            "Proposal",
                            "Notes",
                        )
                    ]
                )
            ),
            rx.table.body(rx.foreach(S.view.movements, _movement_row)),
            width="100%",
            id="treasury-movements",
        ),
        rx.hstack(
            rx.input(type="date", value=S.export_from, on_change=S.set_export_from, id="csv-from"),
            rx.input(type="date", value=S.export_to, on_change=S.set_export_to, id="csv-to"),
            rx.button("Download CSV", on_click=S.download_csv, id="csv-download"),
            rx.cond(
                S.export_message != "",
                rx.text(S.export_message, color_scheme="red", size="2", id="csv-message"),
            ),
            align="center",
            wrap="wrap",
        ),
        description=(
            "Every movement with its transaction, block time, counterparty and the proposal "
            "that caused it (newest 200 of the filter here; the CSV has the whole range). "
            "Members with voting power may attach a note or tag, kept off-chain."
        ),
    )


@dashboard_page(
    route="/treasury",
    title="Treasury",
    icon="landmark",
    order=30,
    description="Holdings, flows, commitments and runway of the cooperative's treasury.",
    on_load=S.load,
)
def treasury() -> rx.Component:
    return rx.vstack(
        rx.heading("Treasury", size="6"),
        rx.cond(
            S.view.indexed,
            rx.vstack(
                _holdings(), _commitments(), _charts(), _movements(), spacing="4", width="100%"
            ),
            rx.text("The index has not read the chain yet.", color_scheme="gray"),
        ),
        spacing="4",
        width="100%",
    )
