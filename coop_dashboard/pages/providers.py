"""A compute provider's profile ("/providers/[address]"): record, jobs, disputes, earnings."""

from __future__ import annotations

import reflex as rx

from coop_dashboard.components.job_parts import fact, job_status_badge
from coop_dashboard.components.section_card import section_card
from coop_dashboard.pages.registry import dashboard_page
from coop_dashboard.services.jobs.board_view import JobRow
from coop_dashboard.services.jobs.job_view import Line
from coop_dashboard.services.jobs.provider_view import DisputeLine
from coop_dashboard.state.providers import ProviderState as S

DESCRIPTION = "A compute provider's record on the job board: reputation, jobs, disputes, earnings."


def _figure(line: Line) -> rx.Component:
    return fact(line.label, line.value, class_name="provider-figure")


def _earning(line: Line) -> rx.Component:
    return rx.hstack(
        rx.badge(line.label),
        rx.text(line.value, size="2"),
        align="center",
        class_name="provider-earning",
    )


def _job(row: JobRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link("#", row.job_id, " ", row.title, href=row.link)),
        rx.table.cell(job_status_badge(row.status)),
        rx.table.cell(row.bounty),
        rx.table.cell(row.datasets),
        class_name="provider-job",
        custom_attrs={"data-job": row.job_id},
    )


def _dispute(row: DisputeLine) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link("Job #", row.job_id, href=row.link)),
        rx.table.cell(row.challenger_short),
        rx.table.cell(row.bond),
        rx.table.cell(row.outcome),
        class_name="provider-dispute",
    )


def _body() -> rx.Component:
    return rx.vstack(
        rx.heading("Provider ", S.view.address_short, size="6", id="provider-title"),
        rx.code(S.view.address, size="1"),
        rx.grid(
            rx.foreach(S.view.figures, _figure),
            columns=rx.breakpoints(initial="2", md="5"),
            spacing="3",
            width="100%",
            id="provider-figures",
        ),
        section_card(
            "Earnings",
            "coins",
            rx.foreach(S.view.earnings, _earning),
            rx.cond(
                S.view.earnings.length() == 0,  # type: ignore[attr-defined]
                rx.text("Nothing earned yet.", size="2", color_scheme="gray"),
            ),
            id="provider-earnings",
        ),
        section_card(
            "Last heartbeat",
            "activity",
            rx.text(S.view.heartbeat, size="2", id="provider-heartbeat"),
        ),
        section_card(
            "Jobs",
            "briefcase",
            rx.table.root(rx.table.body(rx.foreach(S.view.jobs, _job)), width="100%", size="1"),
            id="provider-jobs",
        ),
        section_card(
            "Disputes",
            "swords",
            rx.table.root(
                rx.table.body(rx.foreach(S.view.disputes, _dispute)), width="100%", size="1"
            ),
            id="provider-disputes",
        ),
        spacing="4",
        width="100%",
    )


@dashboard_page(
    route="/providers/[address]",
    title="Provider",
    icon="cpu",
    description=DESCRIPTION,
    on_load=S.load,
    parent="/jobs",
)
def provider_profile() -> rx.Component:
    return rx.vstack(
        rx.link(rx.hstack(rx.icon("arrow_left", size=14), "All jobs"), href="/jobs", size="2"),
        rx.cond(S.notice != "", rx.callout(S.notice, icon="triangle_alert", color_scheme="amber")),
        rx.cond(
            S.invalid,
            rx.callout("Not an address.", icon="info", id="provider-invalid"),
            rx.cond(
                S.view.loaded,
                _body(),
                rx.center(rx.spinner(size="3"), padding_y="3em", width="100%"),
            ),
        ),
        spacing="4",
        width="100%",
    )
