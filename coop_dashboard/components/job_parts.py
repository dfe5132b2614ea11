"""Small stateless pieces of the job pages: status badges, dataset license rows, facts."""

from __future__ import annotations

from typing import Any

import reflex as rx

from coop_dashboard.services.jobs.dataset_licenses import DatasetLicense, HolderPass
from coop_dashboard.services.jobs.display import STATUS_LABELS

# Radix colour schemes of the job statuses (board badges, the job page, profiles).
STATUS_SCHEMES = {
    "open": "blue",
    "in_progress": "amber",
    "in_review": "violet",
    "challenged": "red",
    "completed": "green",
    "failed": "gray",
    "cancelled": "gray",
}


def job_status_badge(status: Any, **props: Any) -> rx.Component:
    return rx.badge(
        rx.match(status, *STATUS_LABELS.items(), status),
        color_scheme=rx.match(status, *STATUS_SCHEMES.items(), "gray"),
        variant="soft",
        **props,
    )


def fact(label: str, value: Any, **props: Any) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray"),
        rx.text(value, size="2", weight="medium", **props),
        spacing="0",
    )


def _holder(holder: HolderPass) -> rx.Component:
    return rx.badge(
        holder.label,
        ": ",
        holder.text,
        color_scheme=rx.cond(holder.has_pass, "green", "red"),
        variant="soft",
    )


def license_row(row: DatasetLicense) -> rx.Component:
    return rx.hstack(
        # Static icons (not one named by a Var: tx_status.py says why).
        rx.cond(
            row.licensable,
            rx.icon("circle_check", size=16, color=rx.color("green", 10)),
            rx.icon("circle_x", size=16, color=rx.color("red", 10)),
        ),
        rx.link("#", row.dataset_id, " ", row.name, href=row.link),
        rx.badge(row.status, variant="surface"),
        rx.text(row.terms, size="2", color_scheme="gray"),
        rx.foreach(row.holders, _holder),
        wrap="wrap",
        align="center",
        spacing="2",
        class_name="dataset-license",
        custom_attrs={"data-dataset": row.dataset_id},
    )


def deadline_countdown(label: Any, iso: Any, **props: Any) -> rx.Component:
    """ "Bidding closes in 2 days", ticking in the browser (no server round trip, no chain
    polling): the deadline is fixed until the job changes, which the live view pushes."""
    return rx.cond(
        iso != "",
        rx.text(label, " ", rx.moment(iso, from_now=True, interval=30_000), **props),
    )
