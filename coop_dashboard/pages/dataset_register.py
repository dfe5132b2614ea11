"""Register a dataset ("/datasets/new"): upload, card, lineage, preview, sign `register`."""

from __future__ import annotations

import plotly.graph_objects as go
import reflex as rx

from coop_dashboard.components.on_screen import on_screen
from coop_dashboard.components.section_card import section_card
from coop_dashboard.pages.registry import dashboard_page
from coop_dashboard.services.datasets.cards import FIELD_LABELS, REQUIRED_FIELDS
from coop_dashboard.services.datasets.page_view import CARD_SECTIONS
from coop_dashboard.services.datasets.register_view import ParentOption
from coop_dashboard.state.dataset_register import (
    DERIVED_TRANSFORMATIONS,
    UPLOAD_ID,
)
from coop_dashboard.state.dataset_register import DatasetRegisterState as S
from coop_dashboard.state.session import SessionState

ROUTE = "/datasets/new"
CATALOG_ROUTE = "/datasets"
_LONG_FIELDS = tuple(name for name in CARD_SECTIONS if name != "collection_timeframe")
_SHORT_FIELDS = ("name", "license", "version", "collection_timeframe", "keywords")
_PLACEHOLDERS = {
    "license": "SPDX identifier, e.g. CC-BY-4.0",
    "keywords": "comma-separated",
    "version": "semantic version, e.g. 1.0.0",
}


def _problem(field: str) -> rx.Component:
    return rx.cond(
        S.problems.contains(field),  # type: ignore[attr-defined]
        rx.text(S.problems[field], color_scheme="red", size="1", class_name="field-problem"),
    )


def _field(name: str) -> rx.Component:
    label = FIELD_LABELS[name] + (" *" if name in REQUIRED_FIELDS else "")
    control = (
        rx.text_area(
            value=S.card.get(name, ""),
            on_change=lambda value: S.set_card_field(name, value),  # type: ignore[operator]
            id=f"card-{name}",
            width="100%",
        )
        if name in _LONG_FIELDS
        else rx.input(
            value=S.card.get(name, ""),
            on_change=lambda value: S.set_card_field(name, value),  # type: ignore[operator]
            placeholder=_PLACEHOLDERS.get(name, ""),
            id=f"card-{name}",
            width="100%",
        )
    )
    return rx.vstack(
        rx.text(label, size="2", weight="medium"),
        control,
        _problem(name),
        spacing="1",
        width="100%",
    )


def _file() -> rx.Component:
    return section_card(
        "1. The data file",
        "upload",
        rx.upload.root(
            rx.vstack(
                rx.icon("file_up", size=28),
                rx.text("Drop the file here or click to choose it (one file)."),
                rx.text("Largest accepted: ", S.size_limit, size="1", color_scheme="gray"),
                align="center",
            ),
            id=UPLOAD_ID,
            max_files=1,
            border="1px dashed var(--gray-a7)",
            padding="1.5em",
            width="100%",
        ),
        rx.hstack(
            rx.foreach(rx.selected_files(UPLOAD_ID), lambda f: rx.text(f, size="2")),
            rx.spacer(),
            rx.button(
                "Upload",
                on_click=S.upload(  # type: ignore[misc]
                    rx.upload_files_chunk(
                        upload_id=UPLOAD_ID, on_upload_progress=S.on_upload_progress
                    )
                ),
                loading=S.uploading,
                id="upload-submit",
            ),
            width="100%",
            align="center",
        ),
        rx.progress(value=S.upload_progress, max=100, id="upload-progress"),
        rx.cond(
            S.upload_notice != "",
            rx.callout(
                S.upload_notice, icon="triangle_alert", color_scheme="red", id="upload-notice"
            ),
        ),
        rx.cond(
            S.file_cid != "",
            rx.vstack(
                rx.text(
                    "File: ",
                    S.file_name,
                    " · ",
                    S.file_size,
                    " · ",
                    S.file_format,
                    " ",
                    S.file_rows,
                    size="2",
                ),
                rx.text("CID: ", rx.code(S.file_cid, id="upload-cid"), size="2"),
                rx.text("sha-256: ", rx.code(S.file_sha256, id="upload-sha256"), size="2"),
                spacing="1",
                id="upload-facts",
            ),
        ),
        _problem("data_cid"),
        description="Streamed into the content store as it arrives; its CID is what IPFS computes.",
    )


def _card() -> rx.Component:
    return section_card(
        "2. The data card",
        "file_text",
        rx.grid(
            *[_field(name) for name in _SHORT_FIELDS],
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="3",
            width="100%",
        ),
        *[_field(name) for name in _LONG_FIELDS],
        rx.grid(
            rx.vstack(
                rx.text("Modality *", size="2", weight="medium"),
                rx.input(value=S.modality, on_change=S.set_modality, id="dataset-modality-input"),
                _problem("modality"),
                spacing="1",
            ),
            rx.vstack(
                rx.text("Tags (comma-separated, at most 16)", size="2", weight="medium"),
                rx.input(value=S.tags_text, on_change=S.set_tags_text, id="dataset-tags-input"),
                _problem("tags"),
                spacing="1",
            ),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="3",
            width="100%",
        ),
        description="Fields marked * are required; checked as you type and again on the server.",
    )


def _result(option: ParentOption) -> rx.Component:
    return rx.hstack(
        rx.text("#", option.dataset_id, " ", option.name, size="2"),
        rx.badge(option.status, size="1", variant="outline"),
        rx.spacer(),
        rx.button(
            "Add",
            size="1",
            variant="soft",
            on_click=S.add_parent(option.dataset_id),  # type: ignore[operator]
            class_name="parent-add",
        ),
        width="100%",
        class_name="parent-result",
        custom_attrs={"data-dataset-id": option.dataset_id},
    )


def _chosen(option: ParentOption) -> rx.Component:
    return rx.badge(
        "#",
        option.dataset_id,
        " ",
        option.name,
        rx.icon(
            "x",
            size=12,
            cursor="pointer",
            on_click=S.remove_parent(option.dataset_id),  # type: ignore[operator]
        ),
        size="2",
        class_name="parent-chosen",
        custom_attrs={"data-dataset-id": option.dataset_id},
    )


def _lineage() -> rx.Component:
    return section_card(
        "3. Where it comes from",
        "git_fork",
        rx.input(
            rx.input.slot(rx.icon("search", size=14)),
            placeholder="Search parent datasets by name, tag or #id (none: a source dataset)",
            debounce_timeout=300,
            on_change=S.search_parents,
            id="parent-search",
            width="100%",
        ),
        rx.vstack(rx.foreach(S.parent_results, _result), width="100%", id="parent-results"),
        rx.hstack(rx.foreach(S.parents, _chosen), wrap="wrap", id="parents-chosen"),
        _problem("parents"),
        rx.cond(
            S.parents.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(
                rx.text("Transformation", size="2", weight="medium"),
                rx.select(
                    list(DERIVED_TRANSFORMATIONS),
                    value=S.transformation,
                    on_change=S.set_transformation,
                    id="transformation",
                ),
                _problem("transformation"),
                rx.text_area(
                    placeholder="How it was made from its parents (stored in the content store)",
                    value=S.transformation_note,
                    on_change=S.set_transformation_note,
                    id="transformation-note",
                    width="100%",
                ),
                _problem("transformation_note"),
                width="100%",
            ),
        ),
    )


def _bond_and_submit() -> rx.Component:
    return section_card(
        "4. Preview and register",
        "send",
        rx.hstack(
            rx.text("Bond (ETH)", size="2", weight="medium"),
            rx.input(value=S.bond_eth, on_change=S.set_bond_eth, id="bond-eth", width="10em"),
            rx.text("minimum: ", S.minimum_bond, size="1", color_scheme="gray"),
            align="center",
            wrap="wrap",
        ),
        _problem("bond"),
        rx.hstack(
            rx.button("Preview", variant="soft", on_click=S.preview, id="register-preview"),
            rx.button(
                rx.icon("pen_line", size=14),
                "Sign register in your wallet",
                on_click=S.register,
                disabled=~S.can_submit,
                id="register-submit",
            ),
        ),
        rx.cond(
            S.notice != "",
            rx.callout(S.notice, icon="triangle_alert", color_scheme="red", id="register-notice"),
        ),
        rx.cond(
            S.previewed,
            rx.grid(
                rx.box(rx.html(S.preview_html), class_name="markdown-body", id="preview-card"),
                on_screen(
                    rx.plotly.basic(
                        # Plotly JSON (a dict in the state: services/plotly_json.py).
                        data=S.preview_graph.to(go.Figure),  # type: ignore[attr-defined]
                        width="100%",
                        height="260px",
                    ),
                    min_height="260px",
                    id="preview-graph",
                ),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="4",
                width="100%",
            ),
        ),
        description=(
            "The bond is held by the registry; withdrawable after the waiting period, "
            "slashed to the treasury if governance delists the dataset."
        ),
    )


@dashboard_page(route=ROUTE, title="Register a dataset", parent=CATALOG_ROUTE, on_load=S.load)
def dataset_register_body() -> rx.Component:
    return rx.vstack(
        rx.link(rx.hstack(rx.icon("arrow_left", size=14), "All datasets"), href=CATALOG_ROUTE),
        rx.heading("Register a dataset", size="7"),
        rx.cond(
            SessionState.is_signed_in,
            rx.vstack(_file(), _card(), _lineage(), _bond_and_submit(), spacing="4", width="100%"),
            rx.callout(
                "Sign in with your wallet to register a dataset.",
                icon="log_in",
                id="register-sign-in",
            ),
        ),
        spacing="4",
        width="100%",
    )
