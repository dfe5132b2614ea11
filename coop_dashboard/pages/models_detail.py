"""One model ("/models/[model_id]"): metrics, the job that made it, datasets, license."""

from __future__ import annotations

import reflex as rx

from coop_dashboard.components.job_parts import fact
from coop_dashboard.components.section_card import section_card
from coop_dashboard.pages.registry import dashboard_page
from coop_dashboard.services.jobs.job_view import Line
from coop_dashboard.services.jobs.model_view import ModelDataset
from coop_dashboard.state.models import ModelPageState as S

DESCRIPTION = "A model: its metrics, the job that trained it, its datasets and its license."


def _line(line: Line) -> rx.Component:
    return rx.hstack(
        rx.text(line.label, size="2", color_scheme="gray", min_width="10em"),
        rx.text(line.value, size="2"),
        width="100%",
    )


def _dataset(row: ModelDataset) -> rx.Component:
    return rx.hstack(
        rx.link("#", row.dataset_id, " ", row.name, href=row.link),
        rx.text(row.license, size="2", color_scheme="gray"),
        class_name="model-dataset",
        custom_attrs={"data-dataset": row.dataset_id},
    )


def _body() -> rx.Component:
    row = S.view.row
    return rx.vstack(
        rx.heading("Model #", row.model_id, size="6", id="model-title"),
        rx.grid(
            fact("Claimed score", row.score, id="model-score"),
            rx.vstack(
                rx.text("Job", size="1", color_scheme="gray"),
                rx.link("Job #", row.job_id, href=row.job_link, id="model-job"),
                spacing="0",
            ),
            rx.vstack(
                rx.text("Provider", size="1", color_scheme="gray"),
                rx.link(row.provider_short, href=row.provider_link),
                spacing="0",
            ),
            fact("Purpose", row.purpose),
            fact("Recorded", row.recorded),
            columns=rx.breakpoints(initial="2", md="5"),
            spacing="3",
            width="100%",
        ),
        section_card(
            "License",
            "scale",
            rx.text(S.view.license, weight="medium", size="3", id="model-license"),
            description="The most restrictive class of its datasets.",
        ),
        section_card(
            "Metrics",
            "chart_bar",
            rx.foreach(S.view.metrics, _line),
            rx.cond(S.view.metrics_problem != "", rx.text(S.view.metrics_problem, size="1")),
            rx.link("Checkpoint ", S.view.checkpoint_cid, href=S.view.checkpoint_link, size="1"),
            id="model-metrics",
        ),
        section_card(
            "Datasets",
            "database",
            rx.foreach(S.view.datasets, _dataset),
            rx.cond(
                S.view.lineage_link != "",
                rx.link("Provenance graph", href=S.view.lineage_link, id="model-lineage"),
            ),
            id="model-datasets",
        ),
        section_card("Spec", "file_text", rx.foreach(S.view.spec, _line)),
        spacing="4",
        width="100%",
    )


@dashboard_page(
    route="/models/[model_id]",
    title="Model",
    icon="brain",
    description=DESCRIPTION,
    on_load=S.load,
    server_render=True,
    parent="/jobs",
)
def model_detail() -> rx.Component:
    return rx.vstack(
        rx.link(rx.hstack(rx.icon("arrow_left", size=14), "All models"), href="/models", size="2"),
        rx.cond(S.notice != "", rx.callout(S.notice, icon="triangle_alert", color_scheme="amber")),
        rx.cond(
            S.view.loaded,
            rx.cond(
                S.view.found,
                _body(),
                rx.callout("No such model (or not indexed yet).", icon="info", id="model-missing"),
            ),
            rx.center(rx.spinner(size="3"), padding_y="3em", width="100%"),
        ),
        spacing="4",
        width="100%",
    )
