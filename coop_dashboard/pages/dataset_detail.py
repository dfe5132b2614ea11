"""A dataset's page ("/datasets/[dataset_id]"): card, on-chain facts, attestations, versions,
exports, licenses (components/license_section.py) and the provenance graph; curators attest
here, members buy licenses and holders download."""

from __future__ import annotations

import plotly.graph_objects as go
import reflex as rx

from coop_dashboard.components.address_chip import address_chip
from coop_dashboard.components.dataset_card import status_badge
from coop_dashboard.components.license_section import license_section
from coop_dashboard.components.on_screen import on_screen
from coop_dashboard.components.section_card import section_card
from coop_dashboard.components.when_changed import on_sign_in_change
from coop_dashboard.pages.registry import dashboard_page
from coop_dashboard.services.datasets.attest import MAX_ATTESTATION_NOTE_CHARS
from coop_dashboard.services.datasets.page_view import (
    CARD_MISMATCH,
    CARD_OK,
    AttestationView,
    ExportLink,
    FactRow,
    VersionView,
)
from coop_dashboard.state.dataset_page import DatasetPageState as S
from coop_dashboard.state.licensing import LicensingState

ROUTE = "/datasets/[dataset_id]"
CATALOG_ROUTE = "/datasets"
_GRAPH_HEIGHT = "360px"


def _header() -> rx.Component:
    view = S.view
    return rx.vstack(
        rx.link(rx.hstack(rx.icon("arrow_left", size=14), "All datasets"), href=CATALOG_ROUTE),
        rx.hstack(
            rx.heading(view.name, size="7", id="dataset-title"),
            status_badge(view.status_label, view.status_scheme, id="dataset-status"),
            align="center",
            spacing="3",
            wrap="wrap",
        ),
        rx.cond(
            view.status_reason != "",
            rx.callout(
                view.status_reason,
                icon="info",
                color_scheme=view.status_scheme,
                id="dataset-status-reason",
            ),
        ),
        spacing="2",
        width="100%",
    )


def _card() -> rx.Component:
    view = S.view
    return section_card(
        "Data card",
        "file_text",
        rx.cond(
            view.card_state == CARD_OK,
            rx.vstack(
                rx.cond(
                    view.card_notice != "",
                    rx.callout(view.card_notice, icon="triangle_alert", color_scheme="amber"),
                ),
                rx.box(rx.html(view.card_html), class_name="markdown-body", id="dataset-card"),
                width="100%",
            ),
            rx.callout(
                rx.cond(view.card_state == CARD_MISMATCH, "Mismatch: ", "Unavailable: ")
                + view.card_notice,
                icon="shield_alert",
                color_scheme=rx.cond(view.card_state == CARD_MISMATCH, "red", "amber"),
                id="dataset-card-problem",
                custom_attrs={"data-card-state": view.card_state},
            ),
        ),
        description="From the content store, verified against the card CID registered on chain.",
    )


def _fact(row: FactRow) -> rx.Component:
    value = rx.cond(
        row.link != "",
        rx.link(row.value, href=row.link, is_external=True, word_break="break-all"),
        rx.text(row.value, word_break="break-all"),
    )
    return rx.table.row(
        rx.table.row_header_cell(rx.text(row.label, size="2", weight="medium")),
        rx.table.cell(
            rx.hstack(
                rx.box(value, font_size="0.85em"),
                rx.cond(
                    row.copy != "",
                    rx.icon_button(
                        rx.icon("copy", size=12),
                        size="1",
                        variant="ghost",
                        aria_label="Copy",
                        on_click=[
                            rx.set_clipboard(row.copy),
                            rx.toast.success("Copied", duration=1500),
                        ],
                        class_name="copy-fact",
                    ),
                ),
                align="center",
                spacing="1",
            )
        ),
        class_name="dataset-fact",
        custom_attrs={"data-label": row.label, "data-value": row.copy},
    )


def _facts() -> rx.Component:
    return section_card(
        "On chain",
        "link",
        rx.table.root(rx.table.body(rx.foreach(S.view.facts, _fact)), width="100%", size="1"),
        id="dataset-facts",
    )


def _attestation(row: AttestationView) -> rx.Component:
    return rx.hstack(
        rx.badge(row.score, " / 100", size="2", color_scheme="blue", class_name="attest-score"),
        rx.vstack(
            rx.hstack(
                address_chip(row.curator),
                rx.text(row.when, size="1", color_scheme="gray"),
                rx.cond(
                    row.curator_now,
                    rx.fragment(),
                    rx.badge("no longer a curator", color_scheme="gray", size="1"),
                ),
                align="center",
                wrap="wrap",
            ),
            rx.text(row.note, size="2", white_space="pre-wrap", class_name="attest-note"),
            spacing="1",
        ),
        align="start",
        width="100%",
        class_name="dataset-attestation",
        custom_attrs={"data-curator": row.curator},
    )


def _attest_form() -> rx.Component:
    return rx.cond(
        S.is_curator & (S.view.status != "delisted"),
        rx.vstack(
            rx.divider(),
            rx.text(
                rx.cond(S.has_attested, "Update your attestation", "Attest as a curator"),
                weight="bold",
                size="2",
            ),
            rx.input(
                placeholder="Score 0-100",
                type="number",
                min=0,
                max=100,
                value=S.score,
                on_change=S.set_score,
                id="attest-score",
            ),
            rx.text_area(
                placeholder="Note (stored in the content store; its CID goes on chain)",
                value=S.note,
                on_change=S.set_note,
                max_length=MAX_ATTESTATION_NOTE_CHARS,
                id="attest-note",
            ),
            rx.button(
                rx.cond(S.has_attested, "Update attestation", "Attest"),
                on_click=S.attest,
                id="attest-submit",
            ),
            width="100%",
        ),
    )


def _attestations() -> rx.Component:
    return section_card(
        "Curator attestations",
        "badge_check",
        rx.cond(
            S.view.attestations.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(rx.foreach(S.view.attestations, _attestation), width="100%"),
            rx.text("No curator has attested this dataset yet.", size="2", color_scheme="gray"),
        ),
        _attest_form(),
        id="dataset-attestations",
    )


def _version(row: VersionView) -> rx.Component:
    return rx.hstack(
        rx.cond(
            row.current,
            rx.text(row.name, " (this page)", weight="bold", size="2"),
            rx.link(row.name, href=row.link, size="2"),
        ),
        rx.text("#", row.dataset_id, size="1", color_scheme="gray"),
        rx.badge(row.status_label, size="1", variant="outline"),
        align="center",
        class_name="dataset-version",
    )


def _versions() -> rx.Component:
    return section_card(
        "Versions",
        "git_branch",
        rx.vstack(rx.foreach(S.view.versions, _version), spacing="1", width="100%"),
        id="dataset-versions",
    )


def _export(link: ExportLink) -> rx.Component:
    return rx.link(
        rx.button(rx.icon("download", size=13), link.label, size="1", variant="soft"),
        href=link.url,
        is_external=True,
        class_name="dataset-export",
        custom_attrs={"data-kind": link.kind},
    )


def _exports() -> rx.Component:
    return section_card(
        "Export",
        "download",
        rx.flex(rx.foreach(S.view.exports, _export), gap="2", wrap="wrap"),
        description="Each is also a public HTTP endpoint scripts can fetch.",
        id="dataset-exports",
    )


def _graph() -> rx.Component:
    return section_card(
        "Provenance",
        "network",
        # Plotly (its basic bundle) loads only once the graph is on screen.
        on_screen(
            rx.plotly.basic(
                # Plotly JSON (a dict in the view: services/plotly_json.py says why).
                data=S.view.graph.to(go.Figure),  # type: ignore[attr-defined]
                on_click=S.open_node,
                width="100%",
                height=_GRAPH_HEIGHT,
            ),
            min_height=_GRAPH_HEIGHT,
            id="dataset-graph",
        ),
        rx.cond(S.view.graph_note != "", rx.text(S.view.graph_note, size="1")),
        description=(
            "Ancestors and descendants, with the transformation on each edge; colour is "
            "status (green active, grey superseded, amber paused, red delisted). "
            "Click a node to open it."
        ),
    )


def _found() -> rx.Component:
    return rx.vstack(
        _header(),
        rx.grid(
            _card(),
            rx.vstack(_facts(), _attestations(), _versions(), _exports(), width="100%"),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        license_section(),
        _graph(),
        spacing="4",
        width="100%",
    )


@dashboard_page(
    route=ROUTE,
    title="Dataset",
    parent=CATALOG_ROUTE,
    on_load=[S.load, LicensingState.load],
    server_render=True,
)
def dataset_detail_body() -> rx.Component:
    return rx.fragment(
        rx.cond(
            S.notice != "",
            rx.callout(S.notice, icon="triangle_alert", color_scheme="amber"),
        ),
        rx.cond(
            S.view.loaded,
            rx.cond(
                S.view.found,
                _found(),
                rx.callout(
                    "This dataset is not in the index. It may be too new, or the link is wrong.",
                    icon="search_x",
                    id="dataset-not-found",
                ),
            ),
            rx.center(rx.spinner(size="3"), padding_y="4em", width="100%"),
        ),
        # Signing in or out here re-asks whether this account may attest.
        on_sign_in_change(S.refresh_curator),
    )
