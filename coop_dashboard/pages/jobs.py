"""The job board ("/jobs"): training jobs by status, filtered, sorted, paged, live."""

from __future__ import annotations

import reflex as rx

from coop_dashboard.components.filter_select import (
    UNTIL_HYDRATED,
    filter_option,
    filter_search,
    filter_select,
)
from coop_dashboard.components.job_parts import deadline_countdown, job_status_badge
from coop_dashboard.components.pager import pager
from coop_dashboard.pages.registry import dashboard_page
from coop_dashboard.services.jobs.board_view import SORT_LABELS, JobRow, StatusTab
from coop_dashboard.state.jobs import ALL
from coop_dashboard.state.jobs import JobBoardState as S

DESCRIPTION = (
    "Training jobs: bounties escrowed for models trained on licensed data, bid on by "
    "staked providers, checked and challengeable before they pay."
)


def _header() -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.heading("Jobs", size="7"),
            rx.text(DESCRIPTION, size="2", color_scheme="gray"),
            spacing="1",
        ),
        rx.spacer(),
        rx.hstack(
            rx.link(rx.button("Models", variant="soft"), href="/models"),
            rx.link(
                rx.button(rx.icon("plus", size=15), "Post a job", id="job-post-link"),
                href="/jobs/new",
            ),
        ),
        direction=rx.breakpoints(initial="column", sm="row"),
        gap="3",
        width="100%",
    )


def _tab(tab: StatusTab) -> rx.Component:
    chosen = (S.status == tab.status) | ((S.status == ALL) & (tab.status == ""))
    return rx.badge(
        tab.label,
        variant=rx.cond(chosen, "solid", "surface"),
        cursor="pointer",
        on_click=S.set_status(rx.cond(tab.status == "", ALL, tab.status)),  # type: ignore[operator]
        class_name="status-tab",
        custom_attrs={"data-status": tab.status},
        size="2",
    )


def _filters() -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.foreach(S.view.tabs, _tab), wrap="wrap", spacing="2", id="job-tabs"),
        rx.flex(
            filter_search(
                "job-search",
                S.search,
                S.set_search,
                placeholder="Search descriptions, #id, poster",
                width="16em",
            ),
            rx.input(
                placeholder="Dataset #",
                value=S.dataset,
                debounce_timeout=400,
                **UNTIL_HYDRATED,
                on_change=S.set_dataset,
                id="job-dataset",
                width="7em",
            ),
            filter_select(
                "job-asset",
                S.asset,
                S.set_asset,
                filter_option("Any asset", value=ALL),
                # Every asset a job was posted in (the index), by its checked label.
                rx.foreach(
                    S.view.asset_options,
                    lambda option: filter_option(option.label, value=option.value),
                ),
                label="Asset",
            ),
            rx.input(
                placeholder="Bounty at least",
                value=S.min_bounty,
                debounce_timeout=400,
                **UNTIL_HYDRATED,
                on_change=S.set_min_bounty,
                id="job-min-bounty",
                width="10em",
            ),
            filter_select(
                "job-sort",
                S.sort,
                S.set_sort,
                *[filter_option(label, value=key) for key, label in SORT_LABELS.items()],
                label="Sort jobs",
            ),
            rx.button("Clear", variant="ghost", on_click=S.clear_filters, id="job-clear"),
            gap="3",
            wrap="wrap",
            align="center",
            width="100%",
        ),
        width="100%",
    )


def _row(row: JobRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link("#", row.job_id, href=row.link)),
        rx.table.cell(rx.link(row.title, href=row.link)),
        rx.table.cell(job_status_badge(row.status)),
        rx.table.cell(row.bounty),
        rx.table.cell(row.datasets),
        rx.table.cell(row.bids),
        rx.table.cell(deadline_countdown(row.deadline_label, row.deadline_iso, size="1")),
        class_name="job-row",
        custom_attrs={"data-job": row.job_id, "data-status": row.status},
    )


def _list() -> rx.Component:
    return rx.cond(
        S.view.rows.length() > 0,  # type: ignore[attr-defined]
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[
                        rx.table.column_header_cell(h)
                        for h in ("Job", "Title", "Status", "Bounty", "Datasets", "Bids", "Next")
                    ]
                )
            ),
            rx.table.body(rx.foreach(S.view.rows, _row)),
            width="100%",
            id="job-list",
        ),
        rx.cond(
            S.view.loaded,
            rx.callout("No job matches.", icon="info", id="job-empty"),
            rx.center(rx.spinner(size="3"), padding_y="3em", width="100%"),
        ),
    )


@dashboard_page(
    route="/jobs",
    title="Jobs",
    icon="briefcase",
    order=25,
    description=DESCRIPTION,
    on_load=S.load,
    server_render=True,
)
def jobs() -> rx.Component:
    return rx.vstack(
        _header(),
        _filters(),
        rx.cond(
            S.notice != "",
            rx.callout(S.notice, icon="triangle_alert", color_scheme="amber", id="job-notice"),
        ),
        _list(),
        pager(
            S.view.total_text,
            page=S.view.page,
            page_count=S.view.pages,
            on_previous=S.previous_page,
            on_next=S.next_page,
            id_prefix="job",
        ),
        spacing="4",
        width="100%",
    )
