"""Post a training job ("/jobs/new"): the spec, the terms, the escrow and the pre-flight."""

from __future__ import annotations

import reflex as rx

from coop_dashboard.components.job_parts import license_row
from coop_dashboard.components.section_card import section_card
from coop_dashboard.components.when_changed import on_sign_in_change
from coop_dashboard.pages.registry import dashboard_page
from coop_dashboard.services.jobs.inputs import PURPOSE_CHOICES
from coop_dashboard.services.jobs.spec import METRIC_LABELS, RECIPES
from coop_dashboard.state.jobs_post import JobPostState as S

DESCRIPTION = "Post a training job: escrow a bounty for a model trained on licensed datasets."


def _field(label: str, control: rx.Component, hint: str = "") -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium"),
        control,
        *([rx.text(hint, size="1", color_scheme="gray")] if hint else []),
        spacing="1",
        width="100%",
    )


def _input(name: str, **props: object) -> rx.Component:
    return rx.input(name=name, id=f"post-{name.replace('_', '-')}", width="100%", **props)


def _native_select(name: str, options: list[tuple[str, str]], **props: object) -> rx.Component:
    # A native <select>: its value travels with the form like any input.
    return rx.el.select(
        *[rx.el.option(label, value=value) for value, label in options],
        name=name,
        id=f"post-{name.replace('_', '-')}",
        style={"width": "100%", "padding": "0.4em", "border_radius": "var(--radius-2)"},
        **props,
    )


def _spec_section() -> rx.Component:
    return section_card(
        "What to train",
        "brain",
        _field("Description", rx.text_area(name="description", id="post-description", rows="3",
                                           width="100%", placeholder="What the model is for")),
        rx.grid(
            _field("Recipe", _native_select(
                "recipe", [(name, recipe.label) for name, recipe in RECIPES.items()])),
            _field("Datasets", _input("datasets", placeholder="e.g. 1, 4",
                                      on_change=S.set_datasets, debounce_timeout=400),
                   "Dataset numbers the job trains on."),
            _field("Label column", _input("label_column", placeholder="e.g. cultivar")),
            _field("Metric", _native_select("metric", list(METRIC_LABELS.items()))),
            _field("Target score", _input("target_score", placeholder="0.9"),
                   "A fraction from 0 to 1 the result must reach."),
            _field("Tolerance", _input("tolerance", default_value="0.01"),
                   "How far a verifier's re-run may differ."),
            _field("Holdout share", _input("test_share", default_value="0.2"),
                   "Share of rows held out for evaluation."),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="3",
            width="100%",
        ),
    )  # fmt: skip


def _terms_section() -> rx.Component:
    return section_card(
        "Terms",
        "scroll_text",
        rx.grid(
            _field("Purpose", _native_select(
                "purpose", [(p, p.replace("_", " ").capitalize()) for p in PURPOSE_CHOICES],
                on_change=S.set_purpose),
                "Providers need passes for this purpose."),
            _field("Asset", _native_select("asset", [("ETH", "ETH"), ("cUSD", "cUSD")],
                                           on_change=S.set_asset)),
            _field("Bounty", _input("bounty", placeholder="1.5", on_change=S.set_bounty,
                                    debounce_timeout=300)),
            _field("Minimum stake (ETH)", _input("minimum_stake", placeholder="0.1",
                                                        on_change=S.set_minimum_stake,
                                                        debounce_timeout=400),
                   "Each bid stakes at least this much ETH."),
            _field("Bidding deadline (UTC)", _input("bidding_deadline", type="datetime-local",
                                                     default_value=S.bidding_default)),
            _field("Delivery deadline (UTC)", _input("delivery_deadline", type="datetime-local",
                                                      default_value=S.delivery_default)),
            _field("Challenge window", _input("challenge_window", default_value="2 days"),
                   "How long anyone may challenge a submitted result."),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="3",
            width="100%",
        ),
    )  # fmt: skip


def _preview() -> rx.Component:
    return section_card(
        "Escrow and pre-flight",
        "shield_check",
        rx.cond(
            S.preview.escrow != "",
            rx.callout(S.preview.escrow, icon="lock", id="post-escrow"),
            rx.text("Enter a bounty to see the escrow.", size="2", color_scheme="gray"),
        ),
        rx.cond(S.preview.steps != "", rx.text(S.preview.steps, size="2", id="post-steps")),
        rx.cond(
            S.preview.licensable != "",
            rx.text(S.preview.licensable, size="2", weight="medium", id="post-licensable"),
        ),
        rx.vstack(rx.foreach(S.preview.licenses, license_row), width="100%", spacing="2"),
        rx.vstack(
            rx.foreach(S.preview.preflight, lambda line: rx.text(line, size="2")),
            id="post-preflight",
            spacing="1",
        ),
    )


@dashboard_page(
    route="/jobs/new",
    title="Post a job",
    icon="plus",
    description=DESCRIPTION,
    on_load=S.load,
    parent="/jobs",
)
def jobs_post() -> rx.Component:
    return rx.vstack(
        rx.heading("Post a training job", size="7"),
        rx.text(DESCRIPTION, size="2", color_scheme="gray"),
        rx.form(
            rx.grid(
                rx.vstack(_spec_section(), _terms_section(), spacing="4", width="100%"),
                _preview(),
                columns=rx.breakpoints(initial="1", lg="2"),
                spacing="4",
                width="100%",
            ),
            rx.hstack(
                rx.button("Post the job", type="submit", size="3", id="post-submit"),
                rx.cond(S.notice != "", rx.text(S.notice, size="2", id="post-notice")),
                align="center",
                spacing="3",
                margin_top="1em",
            ),
            on_submit=S.post,
            reset_on_submit=False,
            width="100%",
        ),
        # Signing in or out re-reads the pre-flight (the passes shown are the viewer's).
        on_sign_in_change(S.refresh_preview),
        spacing="4",
        width="100%",
    )
