"""The proposal builder ("/proposals/new"): actions, title + markdown, pre-flight, propose.

Registered under the feed (`parent`): no navigation entry of its own, the feed links to it.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from coop_dashboard.components.section_card import section_card
from coop_dashboard.pages.guards import require_login
from coop_dashboard.pages.registry import dashboard_page
from coop_dashboard.services.governance.builder import MAX_ACTIONS
from coop_dashboard.services.governance.builder_flow import (
    DATASET_ACTION_LABELS,
    PARAMETER_LABELS,
)
from coop_dashboard.services.jobs.inputs import PURPOSE_CHOICES
from coop_dashboard.state.proposal_builder import ProposalBuilderState
from coop_dashboard.state.tx import TxState

S = ProposalBuilderState


def _error(name: str) -> rx.Component:
    message = S.report.field_errors.get(name, "")
    return rx.cond(
        message != "",
        rx.text(message, size="1", color_scheme="red", id=f"builder-error-{name}"),
    )


def _field(label: str, name: str, placeholder: str = "") -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium"),
        rx.input(
            value=getattr(S, name),
            placeholder=placeholder,
            on_change=lambda value: S.set_field(name, value),  # type: ignore[operator]
            id=f"builder-{name}",
            width="100%",
        ),
        _error(name),
        spacing="1",
        width="100%",
    )


def _treasury() -> rx.Component:
    return rx.vstack(
        rx.text("Asset", size="2", weight="medium"),
        rx.select(
            S.asset_symbols,
            value=S.asset,
            on_change=lambda value: S.set_field("asset", value),  # type: ignore[operator]
            id="builder-asset",
        ),
        rx.foreach(
            S.assets,
            lambda a: rx.text(
                a.symbol, " in the treasury: ", a.balance, size="1", color_scheme="gray"
            ),
        ),
        _error("asset"),
        _field("Recipient", "recipient", "0x…"),
        _field("Amount", "amount", "e.g. 1.5"),
        width="100%",
    )


def _choice(label: str, name: str, labels: dict[str, str]) -> rx.Component:
    """A select of `labels` (value -> label) bound to the field `name`, with its error."""
    return rx.fragment(
        rx.text(label, size="2", weight="medium"),
        rx.select.root(
            rx.select.trigger(id=f"builder-{name.replace('_', '-')}"),
            rx.select.content(*[rx.select.item(text, value=key) for key, text in labels.items()]),
            value=getattr(S, name),
            on_change=lambda value: S.set_field(name, value),  # type: ignore[operator]
        ),
        _error(name),
    )


def _parameter() -> rx.Component:
    return rx.vstack(
        _choice("Parameter", "parameter", PARAMETER_LABELS),
        _field("New value", "value", "e.g. 3 days"),
        width="100%",
    )


def _argument(label: Any, index: Any) -> rx.Component:
    message = S.argument_errors[index]
    return rx.vstack(
        rx.text(label, size="1"),
        rx.input(
            value=S.arguments[index],
            on_change=lambda value: S.set_argument(index, value),  # type: ignore[operator]
            class_name="builder-argument",
            id=f"builder-arg{index}",
            width="100%",
        ),
        rx.cond(
            message != "",
            rx.text(
                message,
                size="1",
                color_scheme="red",
                class_name="builder-argument-error",
                id=f"builder-error-arg{index}",
            ),
        ),
        spacing="1",
        width="100%",
    )


def _custom() -> rx.Component:
    return rx.vstack(
        rx.text("Contract", size="2", weight="medium"),
        rx.select(
            S.contracts, value=S.contract, on_change=S.choose_contract, id="builder-contract"
        ),
        _error("contract"),
        rx.text("Function", size="2", weight="medium"),
        rx.select(
            S.function_signatures,
            value=S.function,
            on_change=S.choose_function,
            id="builder-function",
        ),
        _error("function"),
        rx.foreach(S.argument_labels, _argument),
        _error("arguments"),
        _field("ETH sent with the call", "call_value", "0"),
        width="100%",
    )


def _dataset_option(option: Any) -> rx.Component:
    return rx.button(
        "#",
        option.dataset_id,
        " ",
        option.name,
        " (",
        option.status,
        ")",
        on_click=S.choose_dataset(option.dataset_id),  # type: ignore[operator]
        size="1",
        variant="outline",
        class_name="builder-dataset-option",
    )


def _delist() -> rx.Component:
    return rx.vstack(
        rx.text("Find the dataset (name or number)", size="2", weight="medium"),
        rx.input(
            value=S.dataset_query,
            placeholder="e.g. digits or 12",
            on_change=S.search_datasets,
            id="builder-dataset-search",
            width="100%",
        ),
        rx.flex(rx.foreach(S.found_datasets, _dataset_option), wrap="wrap", spacing="1"),
        _field("Dataset number", "dataset", "e.g. 12"),
        rx.text("Reason", size="2", weight="medium"),
        rx.text_area(
            value=S.reason,
            placeholder="Why it is delisted (stored with the proposal), or ipfs://<CID>",
            on_change=lambda value: S.set_field("reason", value),  # type: ignore[operator]
            id="builder-reason",
            rows="4",
            width="100%",
        ),
        _error("reason"),
        width="100%",
    )


def _dataset() -> rx.Component:
    return rx.vstack(
        _choice("Dataset registry action", "dataset_action", DATASET_ACTION_LABELS),
        rx.match(
            S.dataset_action,
            ("grant_curator", _field("Curator address", "curator", "0x…")),
            ("revoke_curator", _field("Curator address", "curator", "0x…")),
            ("minimum_bond", _field("Minimum bond (ETH)", "minimum_bond", "e.g. 0.1")),
            (
                "bond_waiting_period",
                _field("Bond waiting period (days)", "bond_waiting_period", "e.g. 30"),
            ),
            _delist(),
        ),
        width="100%",
    )


def _fund_job() -> rx.Component:
    # Fund a training job: the timelock posts it with the treasury's bounty (cUSD: approve first).
    return rx.vstack(
        _field("Spec CID (stored)", "job_spec", "bafk…"),
        rx.text("Asset", size="2", weight="medium"),
        rx.select(
            S.asset_symbols,
            value=S.job_asset,
            on_change=lambda value: S.set_field("job_asset", value),  # type: ignore[operator]
            id="builder-job_asset",
        ),
        _error("job_asset"),
        _field("Bounty", "job_bounty", "e.g. 2"),
        rx.text("Purpose", size="2", weight="medium"),
        rx.select(
            list(PURPOSE_CHOICES),
            value=S.job_purpose,
            on_change=lambda value: S.set_field("job_purpose", value),  # type: ignore[operator]
            id="builder-job_purpose",
        ),
        _error("job_purpose"),
        _field("Bidding deadline (UTC)", "job_bidding_deadline", "2026-12-20T12:00"),
        _field("Delivery deadline (UTC)", "job_delivery_deadline", "2027-01-10T12:00"),
        _field("Minimum stake (ETH)", "job_minimum_stake", "e.g. 0.1"),
        _field("Challenge window", "job_challenge_window", "e.g. 2 days"),
        width="100%",
    )


def _added_action(added: Any, index: Any) -> rx.Component:
    return rx.hstack(
        rx.badge(index + 1, variant="soft"),
        rx.text(added.summary, size="2"),
        rx.spacer(),
        rx.button(
            "Remove",
            on_click=S.remove_action(index),  # type: ignore[operator]
            size="1",
            variant="ghost",
            color_scheme="red",
            class_name="builder-remove-action",
        ),
        align="center",
        width="100%",
        class_name="builder-added-action",
    )


def _action() -> rx.Component:
    return section_card(
        "Actions",
        "zap",
        rx.text(
            "The proposal runs the added actions in order, then the one below if it is "
            f"filled in: at least one, at most {MAX_ACTIONS}.",
            size="1",
            color_scheme="gray",
        ),
        rx.foreach(S.added, _added_action),
        rx.divider(),
        rx.heading("Action ", S.editor_number, size="3", id="builder-editor-heading"),
        rx.segmented_control.root(
            rx.segmented_control.item("Treasury transfer", value="treasury"),
            rx.segmented_control.item("Parameter change", value="parameter"),
            rx.segmented_control.item("Custom call", value="custom"),
            rx.segmented_control.item("Datasets", value="dataset"),
            rx.segmented_control.item("Fund a job", value="job"),
            value=S.kind,
            on_change=lambda value: S.set_field("kind", value),  # type: ignore[operator]
            id="builder-kind",
        ),
        rx.match(
            S.kind,
            ("treasury", _treasury()),
            ("parameter", _parameter()),
            ("dataset", _dataset()),
            ("job", _fund_job()),
            _custom(),
        ),
        _error("kind"),
        rx.button(
            rx.icon("plus", size=16),
            "Add action",
            on_click=S.add_editor_action,
            loading=S.adding,
            disabled=S.at_action_limit,
            variant="soft",
            id="builder-add-action",
        ),
        rx.cond(
            S.at_action_limit,
            rx.text(
                f"This proposal has the maximum of {MAX_ACTIONS} actions; remove one to add "
                "another.",
                size="1",
                color_scheme="amber",
                id="builder-action-limit",
            ),
        ),
        _error("actions"),
    )


def _text() -> rx.Component:
    return section_card(
        "Title and description",
        "file_text",
        _field("Title", "title", "What the members decide"),
        rx.text("Description (markdown)", size="2", weight="medium"),
        rx.text_area(
            value=S.body,
            on_change=lambda value: S.set_field("body", value),  # type: ignore[operator]
            id="builder-body",
            rows="8",
            width="100%",
        ),
        _error("body"),
        rx.cond(
            S.preview_html != "",
            rx.card(
                rx.html(S.preview_html),
                class_name="markdown-body",
                width="100%",
                id="builder-preview",
            ),
        ),
    )


def _report() -> rx.Component:
    report = S.report
    return section_card(
        "Pre-flight check",
        "shield_check",
        rx.text(
            "Checks your voting power against the proposal threshold and simulates every "
            "action as the timelock would execute it.",
            size="2",
        ),
        rx.hstack(
            rx.button(
                "Check", on_click=S.check, loading=S.checking, variant="soft", id="builder-check"
            ),
            rx.button(
                "Submit proposal",
                on_click=S.submit,
                disabled=~S.checked | ~report.ok | TxState.busy,
                id="builder-submit",
            ),
        ),
        rx.cond(report.power != "", rx.text(report.power, size="2", id="builder-power")),
        rx.foreach(
            report.actions, lambda line: rx.text(line, size="2", class_name="builder-action")
        ),
        rx.foreach(
            report.problems,
            lambda line: rx.callout(
                line, icon="circle_x", color_scheme="red", class_name="builder-problem"
            ),
        ),
        rx.foreach(report.notes, lambda line: rx.text(line, size="1", color_scheme="gray")),
        rx.cond(S.notice != "", rx.callout(S.notice, icon="triangle_alert", color_scheme="amber")),
    )


@dashboard_page(
    route="/proposals/new",
    title="New proposal",
    parent="/proposals",
    on_load=ProposalBuilderState.load,
)
@require_login("the proposal builder")
def proposal_builder_body() -> rx.Component:
    return rx.vstack(
        rx.heading("New proposal", size="7"),
        rx.text(
            "Add the actions the timelock should run; members vote on exactly what you check.",
            size="2",
            color_scheme="gray",
        ),
        rx.grid(
            rx.vstack(_action(), _text(), width="100%"),
            _report(),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        spacing="4",
        width="100%",
    )
