"""The dataset catalog ("/datasets"): search, filters, sort and pages, live."""

from __future__ import annotations

import reflex as rx

from coop_dashboard.components.dataset_card import catalog_card
from coop_dashboard.components.filter_select import (
    filter_option,
    filter_search,
    filter_select,
)
from coop_dashboard.components.pager import pager
from coop_dashboard.pages.registry import dashboard_page
from coop_dashboard.services.datasets.catalog_view import SORT_LABELS, STATUS_SCHEMES, Facet
from coop_dashboard.services.datasets.lineage_graph import STATUS_LABELS
from coop_dashboard.state.datasets import ALL
from coop_dashboard.state.datasets import DatasetCatalogState as S

DESCRIPTION = (
    "The cooperative's datasets: each with an on-chain record, a data card and its lineage."
)


def _header() -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.heading("Datasets", size="7"),
            rx.text(DESCRIPTION, size="2", color_scheme="gray"),
            spacing="1",
        ),
        rx.spacer(),
        rx.link(
            rx.button(rx.icon("plus", size=15), "Register a dataset", id="dataset-register-link"),
            href="/datasets/new",
        ),
        direction=rx.breakpoints(initial="column", sm="row"),
        gap="3",
        width="100%",
    )


def _facet_item(facet: Facet) -> rx.Component:
    return filter_option(facet.label, value=facet.value)


def _tag(facet: Facet) -> rx.Component:
    chosen = S.tags.contains(facet.value)  # type: ignore[attr-defined]
    return rx.badge(
        facet.label,
        variant=rx.cond(chosen, "solid", "surface"),
        cursor="pointer",
        on_click=S.toggle_tag(facet.value),  # type: ignore[operator]
        class_name="tag-filter",
        custom_attrs={"data-tag": facet.value},
    )


def _filters() -> rx.Component:
    return rx.vstack(
        rx.flex(
            filter_search(
                "dataset-search",
                S.search,
                S.set_search,
                placeholder="Search names, descriptions, tags, #id",
            ),
            *[
                filter_select(
                    f"dataset-{name}",
                    value,
                    handler,
                    filter_option(f"Every {name}", value=ALL),
                    rx.foreach(facets, _facet_item),
                    label=name.capitalize(),
                )
                for name, value, handler, facets in (
                    ("modality", S.modality, S.set_modality, S.view.modalities),
                    ("license", S.license, S.set_license, S.view.licenses),
                )
            ],
            filter_select(
                "dataset-status",
                S.status,
                S.set_status,
                filter_option("Every status", value=ALL),
                *[filter_option(STATUS_LABELS[s], value=s) for s in STATUS_SCHEMES],
                label="Status",
            ),
            filter_select(
                "dataset-verified",
                S.verified,
                S.set_verified,
                filter_option("Verified or not", value="any"),
                filter_option("Curator-verified", value="yes"),
                filter_option("Not yet verified", value="no"),
                label="Verification",
            ),
            filter_select(
                "dataset-sort",
                S.sort,
                S.set_sort,
                *[filter_option(label, value=key) for key, label in SORT_LABELS.items()],
                label="Sort datasets",
            ),
            rx.button("Clear", variant="ghost", on_click=S.clear_filters, id="dataset-clear"),
            gap="3",
            wrap="wrap",
            align="center",
            width="100%",
        ),
        rx.hstack(rx.foreach(S.view.tags, _tag), spacing="1", wrap="wrap", id="dataset-tags"),
        width="100%",
    )


def _list() -> rx.Component:
    return rx.cond(
        S.view.cards.length() > 0,  # type: ignore[attr-defined]
        rx.grid(
            rx.foreach(S.view.cards, catalog_card),
            columns=rx.breakpoints(initial="1", md="2", lg="3"),
            spacing="3",
            width="100%",
            id="dataset-list",
        ),
        rx.cond(
            S.view.loaded,
            rx.callout("No dataset matches.", icon="info", id="dataset-empty"),
            rx.center(rx.spinner(size="3"), padding_y="3em", width="100%"),
        ),
    )


@dashboard_page(
    route="/datasets",
    title="Datasets",
    icon="database",
    order=20,
    description=DESCRIPTION,
    on_load=S.load,
    server_render=True,
)
def datasets() -> rx.Component:
    return rx.vstack(
        _header(),
        _filters(),
        rx.cond(
            S.notice != "",
            rx.callout(S.notice, icon="triangle_alert", color_scheme="amber", id="dataset-notice"),
        ),
        _list(),
        pager(
            S.view.total_text,
            page=S.view.page,
            page_count=S.view.pages,
            on_previous=S.previous_page,
            on_next=S.next_page,
            id_prefix="dataset",
        ),
        spacing="4",
        width="100%",
    )
