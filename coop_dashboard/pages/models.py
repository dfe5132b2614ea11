"""Models ("/models"): every model a finalized job produced, newest first, paged, live."""

from __future__ import annotations

import reflex as rx

from coop_dashboard.components.pager import pager
from coop_dashboard.pages.registry import dashboard_page
from coop_dashboard.services.jobs.model_view import ModelRow
from coop_dashboard.state.models import ModelsState as S

DESCRIPTION = "Models the cooperative's training jobs produced: metrics, job, datasets, license."


def _row(row: ModelRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link("Model #", row.model_id, href=row.link)),
        rx.table.cell(rx.link("Job #", row.job_id, href=row.job_link)),
        rx.table.cell(rx.link(row.provider_short, href=row.provider_link)),
        rx.table.cell(row.score),
        rx.table.cell(row.datasets),
        rx.table.cell(row.purpose),
        rx.table.cell(rx.text(row.recorded, size="1")),
        class_name="model-row",
        custom_attrs={"data-model": row.model_id},
    )


@dashboard_page(
    route="/models",
    title="Models",
    icon="brain",
    description=DESCRIPTION,
    on_load=S.load,
    server_render=True,
    parent="/jobs",
)
def models() -> rx.Component:
    return rx.vstack(
        rx.heading("Models", size="7"),
        rx.text(DESCRIPTION, size="2", color_scheme="gray"),
        rx.hstack(
            rx.input(
                placeholder="Trained on dataset #",
                value=S.dataset,
                debounce_timeout=400,
                on_change=S.set_dataset,
                id="model-dataset",
                width="12em",
            ),
            align="center",
            spacing="3",
        ),
        rx.cond(S.notice != "", rx.callout(S.notice, icon="triangle_alert", color_scheme="amber")),
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[
                        rx.table.column_header_cell(h)
                        for h in ("Model", "Job", "Provider", "Score", "Datasets", "Purpose", "")
                    ]
                )
            ),
            rx.table.body(rx.foreach(S.view.rows, _row)),
            width="100%",
            id="model-list",
        ),
        pager(
            S.view.total_text,
            page=S.view.page,
            page_count=S.view.pages,
            on_previous=S.previous_page,
            on_next=S.next_page,
            id_prefix="model",
        ),
        spacing="4",
        width="100%",
    )
