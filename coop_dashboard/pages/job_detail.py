"""One training job ("/jobs/[job_id]"): spec, datasets, bids, result, challenge, payouts.

Every action is a form or button that names its action; the server decides
(state/jobs_page.act) and the transaction panel shows its lifecycle.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from coop_dashboard.components.job_parts import (
    deadline_countdown,
    fact,
    job_status_badge,
    license_row,
)
from coop_dashboard.components.section_card import section_card
from coop_dashboard.components.when_changed import on_sign_in_change
from coop_dashboard.pages.registry import dashboard_page
from coop_dashboard.services.jobs.job_view import BidRow, Line, PayoutRow, TimelineRow
from coop_dashboard.services.jobs.viewer import Credit
from coop_dashboard.state.jobs_page import JobPageState as S

DESCRIPTION = "A training job: its spec, datasets, bids, result, challenge and payouts."


def _line(line: Line) -> rx.Component:
    return rx.hstack(
        rx.text(line.label, size="2", color_scheme="gray", min_width="10em"),
        rx.text(line.value, size="2", white_space="pre-wrap", word_break="break-word"),
        align="start",
        width="100%",
    )


def _header() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading("Job #", S.view.job_id, ": ", S.view.title, size="6", id="job-title"),
            job_status_badge(S.view.status, id="job-status", size="2"),
            align="center",
            wrap="wrap",
        ),
        deadline_countdown(
            S.view.deadline_label,
            S.view.deadline_iso,
            size="2",
            color_scheme="gray",
            id="job-next-deadline",
            title=S.view.next_deadline,
        ),
        rx.grid(
            fact("Bounty", S.view.bounty, id="job-bounty"),
            fact("Poster", S.view.poster_short),
            fact("Purpose", S.view.purpose),
            fact("Minimum stake", S.view.minimum_stake),
            fact("Bidding deadline", S.view.bidding_deadline),
            fact("Delivery deadline", S.view.delivery_deadline),
            fact("Challenge window", S.view.challenge_window),
            rx.cond(
                S.view.provider != "",
                rx.vstack(
                    rx.text("Provider", size="1", color_scheme="gray"),
                    rx.link(S.view.provider_short, href=S.view.provider_link, id="job-provider"),
                    rx.text(S.view.price, size="1"),
                    spacing="0",
                ),
            ),
            rx.cond(
                S.view.model_id > 0,
                rx.link("Model #", S.view.model_id, href=S.view.model_link, id="job-model-link"),
            ),
            columns=rx.breakpoints(initial="2", md="4"),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _spec() -> rx.Component:
    return section_card(
        "Spec",
        "file_text",
        rx.cond(
            S.view.spec.readable,
            rx.vstack(
                rx.text(S.view.spec.description, size="2", white_space="pre-wrap"),
                rx.foreach(S.view.spec.lines, _line),
                width="100%",
            ),
            rx.callout(S.view.spec.problem, icon="triangle_alert", color_scheme="amber"),
        ),
        rx.link(S.view.spec.cid, href=S.view.spec.link, size="1", is_external=True),
        id="job-spec",
    )


def _datasets() -> rx.Component:
    return section_card(
        "Datasets",
        "database",
        rx.vstack(rx.foreach(S.view.datasets, license_row), width="100%", spacing="2"),
        rx.cond(S.viewer.passes != "", rx.text(S.viewer.passes, size="2", id="job-your-passes")),
        description="License status for the job's purpose (the accepted provider's passes).",
        id="job-datasets",
    )


def _bid_row(bid: BidRow) -> rx.Component:
    # bid.acceptable: JobBoard.acceptBid's clock rule at the indexed head (job_view).
    can_accept = S.viewer.is_poster & bid.acceptable
    return rx.table.row(
        rx.table.cell(rx.link(bid.provider_short, href=bid.provider_link)),
        rx.table.cell(bid.price),
        rx.table.cell(bid.delivery),
        rx.table.cell(bid.stake),
        rx.table.cell(rx.text(bid.reputation, size="1")),
        rx.table.cell(bid.state),
        rx.table.cell(
            rx.cond(
                can_accept,
                rx.button(
                    "Accept",
                    size="1",
                    on_click=S.act("accept", {"provider": bid.provider}),  # type: ignore[misc]
                    class_name="accept-bid",
                    custom_attrs={"data-provider": bid.provider},
                ),
            )
        ),
        class_name="bid-row",
        custom_attrs={"data-provider": bid.provider, "data-state": bid.state},
    )


def _bids() -> rx.Component:
    return section_card(
        "Bids",
        "hand_coins",
        rx.cond(
            S.view.bids.length() > 0,  # type: ignore[attr-defined]
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(h)
                            for h in (
                                "Provider",
                                "Price",
                                "Delivers by",
                                "Stake",
                                "Reputation",
                                "State",
                                "",
                            )
                        ]
                    )
                ),
                rx.table.body(rx.foreach(S.view.bids, _bid_row)),
                width="100%",
                size="1",
            ),
            rx.text("No bids yet.", size="2", color_scheme="gray"),
        ),
        id="job-bids",
    )


def _form(action: str, *fields: rx.Component, label: str, **props: Any) -> rx.Component:
    return rx.form(
        rx.hstack(
            *fields,
            rx.button(label, type="submit", id=f"job-{action.replace('_', '-')}"),
            wrap="wrap",
            align="end",
            spacing="2",
        ),
        on_submit=lambda form: S.act(action, form),  # type: ignore[misc]
        reset_on_submit=False,
        **props,
    )


def _labelled(label: str, name: str, **props: Any) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray"),
        rx.input(name=name, id=f"job-{name.replace('_', '-')}", **props),
        spacing="0",
    )


def _open_actions() -> rx.Component:
    return rx.vstack(
        rx.cond(
            # Not after the bidding deadline by the chain's clock (the server refuses then).
            ~S.viewer.is_poster & ~S.viewer.has_bid & S.view.bidding_open,
            _form(
                "bid",
                _labelled("Price (" + S.view.asset + ")", "price", placeholder="0.8"),
                _labelled("Deliver by (UTC)", "delivery", type="datetime-local"),
                _labelled("Stake (ETH)", "stake", placeholder="0.1"),
                label="Place bid",
            ),
        ),
        rx.cond(
            S.viewer.has_bid,
            rx.button(
                "Withdraw my bid",
                variant="soft",
                on_click=S.act("withdraw_bid", {}),  # type: ignore[misc]
                id="job-withdraw-bid",
            ),
        ),
        rx.cond(
            S.viewer.is_poster,
            rx.hstack(
                rx.button(
                    "Cancel the job",
                    color_scheme="red",
                    variant="soft",
                    on_click=S.act("cancel", {}),  # type: ignore[misc]
                    id="job-cancel",
                ),
                _reopen(),
                wrap="wrap",
                align="end",
            ),
        ),
        width="100%",
    )


def _reopen() -> rx.Component:
    """Only once the contract's clock allows it (bidding closed unaccepted, or delivery
    missed); the server checks the chain again when the form is sent."""
    return rx.cond(
        S.view.reopen_allowed,
        _form(
            "reopen",
            _labelled("New bidding deadline (UTC)", "bidding_deadline", type="datetime-local"),
            _labelled("New delivery deadline (UTC)", "delivery_deadline", type="datetime-local"),
            label="Reopen",
        ),
    )


def _in_progress_actions() -> rx.Component:
    return rx.vstack(
        rx.cond(
            S.viewer.is_provider & ~S.view.delivery_missed,  # not past the delivery deadline
            _form(
                "submit",
                _labelled("Checkpoint CID", "checkpoint_cid"),
                _labelled("Metrics CID", "metrics_cid"),
                _labelled("Claimed score (0-1)", "score", placeholder="0.93"),
                label="Submit result",
            ),
        ),
        rx.cond(
            S.viewer.is_poster & S.view.delivery_missed,
            rx.hstack(
                rx.button(
                    "Refund missed delivery",
                    variant="soft",
                    on_click=S.act("refund", {}),  # type: ignore[misc]
                    id="job-refund",
                ),
                _reopen(),
                wrap="wrap",
                align="end",
            ),
        ),
        width="100%",
    )


def _review_actions() -> rx.Component:
    return rx.vstack(
        rx.button(
            "Finalize",
            on_click=S.act("finalize", {}),  # type: ignore[misc]
            id="job-finalize",
        ),
        rx.cond(
            # Only inside the challenge window by the chain's clock (the server refuses after).
            ~S.viewer.is_provider & S.view.challenge_open,
            _form(
                "challenge",
                rx.vstack(
                    rx.text("Evidence", size="1", color_scheme="gray"),
                    rx.text_area(name="evidence", id="job-evidence", rows="3", width="24em"),
                    spacing="0",
                ),
                _labelled("Bond (ETH)", "bond", default_value=S.viewer.challenge_bond),
                label="Challenge",
            ),
        ),
        width="100%",
    )


def _resolve_actions() -> rx.Component:
    return rx.cond(
        S.viewer.is_arbiter,
        _form(
            "resolve",
            rx.radio_group.root(
                rx.hstack(
                    rx.radio_group.item(value="upheld", id="job-decision-upheld"),
                    rx.text("Provider upheld", size="2"),
                    rx.radio_group.item(value="wrong", id="job-decision-wrong"),
                    rx.text("Provider wrong", size="2"),
                    align="center",
                ),
                name="decision",
            ),
            rx.vstack(
                rx.text("Reasoning", size="1", color_scheme="gray"),
                rx.text_area(name="reason", id="job-reason", rows="3", width="24em"),
                spacing="0",
            ),
            label="Resolve",
        ),
        rx.text("An arbiter resolves the challenge.", size="2", color_scheme="gray"),
    )


def _credit(credit: Credit) -> rx.Component:
    return rx.button(
        "Withdraw ",
        credit.text,
        variant="outline",
        on_click=S.withdraw(credit.asset),  # type: ignore[misc]
        class_name="job-withdraw",
        custom_attrs={"data-asset": credit.symbol, "data-token": credit.asset},
    )


def _actions() -> rx.Component:
    return section_card(
        "Actions",
        "zap",
        rx.cond(
            S.viewer.signed_in,
            rx.vstack(
                rx.match(
                    S.view.status,
                    ("open", _open_actions()),
                    ("in_progress", _in_progress_actions()),
                    ("in_review", _review_actions()),
                    ("challenged", _resolve_actions()),
                    rx.text("Nothing to do: the job is closed.", size="2", color_scheme="gray"),
                ),
                rx.cond(
                    S.viewer.credits.length() > 0,  # type: ignore[attr-defined]
                    rx.hstack(
                        rx.text("The job board holds for you:", size="2"),
                        rx.foreach(S.viewer.credits, _credit),
                        wrap="wrap",
                        align="center",
                    ),
                ),
                rx.cond(
                    S.action_notice != "",
                    rx.callout(S.action_notice, icon="triangle_alert", color_scheme="amber"),
                ),
                width="100%",
            ),
            rx.text("Sign in to bid, submit, challenge or finalize.", size="2"),
        ),
        id="job-actions",
    )


def _result() -> rx.Component:
    r = S.view.result
    return rx.cond(
        r.submitted,
        section_card(
            "Result",
            "package_check",
            rx.grid(
                fact("Claimed score", r.claimed_score, id="job-claimed-score"),
                fact("Target", r.target),
                fact("Submitted", r.submitted_at),
                fact("Challenge window ends", r.challenge_ends),
                columns=rx.breakpoints(initial="2", md="4"),
                spacing="3",
                width="100%",
            ),
            rx.link("Checkpoint ", r.checkpoint_cid, href=r.checkpoint_link, size="1"),
            rx.link("Metrics ", r.metrics_cid, href=r.metrics_link, size="1"),
            rx.foreach(r.metrics, _line),
            rx.cond(r.metrics_problem != "", rx.text(r.metrics_problem, size="1")),
            id="job-result",
        ),
    )


def _challenge() -> rx.Component:
    c = S.view.challenge
    return rx.cond(
        c.challenged,
        section_card(
            "Challenge",
            "swords",
            rx.grid(
                fact("Challenger", c.challenger_short),
                fact("Bond", c.bond),
                fact("Escalates to governance", c.escalates_at),
                columns=rx.breakpoints(initial="1", md="3"),
                spacing="3",
                width="100%",
            ),
            rx.text("Evidence", size="1", color_scheme="gray"),
            rx.text(c.evidence, size="2", white_space="pre-wrap", id="job-evidence-text"),
            rx.cond(
                c.resolved,
                rx.vstack(
                    rx.text(c.resolution, weight="bold", size="2", id="job-resolution"),
                    rx.text(c.reason, size="2", white_space="pre-wrap"),
                    spacing="1",
                ),
            ),
            id="job-challenge",
        ),
    )


def _payout(row: PayoutRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(row.account_short, href=row.account_link)),
        rx.table.cell(row.reason),
        rx.table.cell(row.amount),
        class_name="payout-row",
    )


def _payouts() -> rx.Component:
    return rx.cond(
        S.view.payouts.length() > 0,  # type: ignore[attr-defined]
        section_card(
            "Payouts",
            "coins",
            rx.table.root(
                rx.table.body(rx.foreach(S.view.payouts, _payout)), width="100%", size="1"
            ),
            id="job-payouts",
        ),
    )


def _timeline_row(row: TimelineRow) -> rx.Component:
    return rx.hstack(
        rx.text(row.when, size="1", color_scheme="gray", min_width="13em"),
        rx.text(row.what, size="2"),
        width="100%",
    )


def _timeline() -> rx.Component:
    return section_card(
        "Timeline",
        "history",
        rx.vstack(rx.foreach(S.view.timeline, _timeline_row), spacing="1", width="100%"),
        rx.cond(
            S.view.work_notes.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(rx.foreach(S.view.work_notes, _line), width="100%", id="job-work"),
        ),
        id="job-timeline",
    )


def _body() -> rx.Component:
    return rx.vstack(
        _header(),
        rx.grid(
            rx.vstack(_spec(), _datasets(), _bids(), spacing="4", width="100%"),
            rx.vstack(
                _actions(), _result(), _challenge(), _payouts(), _timeline(), spacing="4",
                width="100%",
            ),
            columns=rx.breakpoints(initial="1", lg="2"),
            spacing="4",
            width="100%",
        ),
        spacing="4",
        width="100%",
    )  # fmt: skip


@dashboard_page(
    route="/jobs/[job_id]",
    title="Job",
    icon="briefcase",
    description=DESCRIPTION,
    on_load=S.load,
    server_render=True,
    parent="/jobs",
)
def job_detail() -> rx.Component:
    return rx.vstack(
        rx.link(rx.hstack(rx.icon("arrow_left", size=14), "All jobs"), href="/jobs", size="2"),
        rx.cond(
            S.notice != "",
            rx.callout(S.notice, icon="triangle_alert", color_scheme="amber"),
        ),
        rx.cond(
            S.view.loaded,
            rx.cond(
                S.view.found,
                _body(),
                rx.callout("No such job (or not indexed yet).", icon="info", id="job-missing"),
            ),
            rx.center(rx.spinner(size="3"), padding_y="3em", width="100%"),
        ),
        # Signing in or out here re-asks what this account may do on the job.
        on_sign_in_change(S.refresh_viewer),
        spacing="4",
        width="100%",
    )
