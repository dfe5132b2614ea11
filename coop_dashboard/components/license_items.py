"""Stateless pieces of the licensing UI: a tier with its split, a pass, an access-log row,
an earning and a balance. Handlers come from the caller (the page's state)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx
from reflex.vars import Var

from coop_dashboard.components.address_chip import address_chip
from coop_dashboard.services.licensing.access_view import BalanceView, EarningView
from coop_dashboard.services.licensing.dataset_view import AccessLogView, SplitRow, TierView
from coop_dashboard.services.licensing.passes import PassView

Handler = Callable[[Any], Any]


def _split_row(row: SplitRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row.role, size="1")),
        rx.table.cell(rx.text(row.account_short, size="1", title=row.account)),
        rx.table.cell(rx.text(row.amount_text, size="1", class_name="split-amount")),
        class_name="license-split-row",
        custom_attrs={"data-account": row.account, "data-role": row.role},
    )


def tier_card(
    tier: TierView,
    buy: Handler,
    can_buy: Var[bool],
    edit: Handler,
    can_edit: Var[bool],
    set_active: Callable[[Any, Any], Any],
) -> rx.Component:
    """One tier: terms, the split one purchase makes now, Buy (and, for the contributor,
    Change and Withdraw from sale / Offer again)."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.badge("Tier ", tier.number, variant="outline"),
                rx.text(tier.price_text, weight="bold", class_name="tier-price"),
                rx.text("for ", tier.duration_text, size="2", color_scheme="gray"),
                rx.cond(
                    tier.active,
                    rx.fragment(),
                    rx.badge("not offered", color_scheme="gray"),
                ),
                rx.spacer(),
                rx.cond(
                    can_edit,
                    rx.hstack(
                        rx.button(
                            "Change",
                            size="1",
                            variant="ghost",
                            on_click=edit(tier.index),
                            class_name="tier-edit",
                        ),
                        rx.button(
                            rx.cond(tier.active, "Withdraw from sale", "Offer again"),
                            size="1",
                            variant="soft",
                            color_scheme=rx.cond(tier.active, "gray", "green"),
                            # The wanted state travels with the click: a stale page asking
                            # for what already holds is refused on the server, not flipped.
                            on_click=set_active(tier.index, ~tier.active),
                            class_name="tier-toggle",
                        ),
                        spacing="2",
                    ),
                ),
                rx.button(
                    "Buy",
                    size="2",
                    on_click=buy(tier.index),
                    disabled=~(can_buy & tier.active),
                    class_name="tier-buy",
                ),
                align="center",
                wrap="wrap",
                width="100%",
            ),
            rx.text(tier.purpose_label, " · ", tier.class_text, size="2", class_name="tier-terms"),
            rx.table.root(
                rx.table.body(rx.foreach(tier.split, _split_row)),
                size="1",
                width="100%",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        class_name="license-tier",
        custom_attrs={
            "data-tier": tier.number,
            "data-purpose": tier.purpose,
            "data-active": rx.cond(tier.active, "true", "false"),
        },
    )


def pass_row(
    row: PassView, renew: Handler | None = None, show_holder: bool = False
) -> rx.Component:
    """A pass: dataset, purpose, tier, expiry and its state (with governance's reason)."""
    return rx.table.row(
        rx.table.cell(rx.link(row.dataset_name, href=row.dataset_link, size="2")),
        *([rx.table.cell(address_chip(row.holder))] if show_holder else []),
        rx.table.cell(rx.text(row.purpose_label, size="2")),
        rx.table.cell(rx.text("Tier ", row.tier_number, " · ", row.price_text, size="2")),
        rx.table.cell(rx.text(row.expires_text, size="2", class_name="pass-expiry")),
        rx.table.cell(
            rx.vstack(
                rx.badge(row.state_label, color_scheme=row.state_scheme, class_name="pass-state"),
                rx.cond(
                    row.reason != "",
                    rx.text(row.reason, size="1", class_name="pass-reason", white_space="pre-wrap"),
                ),
                spacing="1",
            )
        ),
        *(
            [
                rx.table.cell(
                    rx.cond(
                        row.renewable,
                        rx.button(
                            "Renew", size="1", on_click=renew(row.token_id), class_name="pass-renew"
                        ),
                    )
                )
            ]
            if renew is not None
            else []
        ),
        class_name="license-pass",
        custom_attrs={
            "data-dataset": row.dataset_id,
            "data-state": row.state,
            "data-token": row.token_id,
            "data-holder": row.holder,
        },
    )


def log_row(row: AccessLogView) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row.when, size="1")),
        rx.table.cell(rx.text(row.account_short, size="1", title=row.account)),
        rx.table.cell(rx.text(row.purpose_label, size="1")),
        rx.table.cell(rx.text(row.bytes_text, size="1")),
        rx.table.cell(rx.text(row.via, size="1")),
        class_name="access-log-row",
        custom_attrs={"data-account": row.account},
    )


def earning_row(row: EarningView) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(row.dataset_name, href=row.dataset_link, size="2")),
        rx.table.cell(rx.text(row.source_label, size="2")),
        rx.table.cell(rx.text(row.origin, size="2")),
        rx.table.cell(rx.text(row.amount_text, size="2", class_name="earning-amount")),
        class_name="license-earning",
        custom_attrs={"data-dataset": row.dataset_id, "data-source": row.source_label},
    )


def balance_row(row: BalanceView, withdraw: Handler) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row.symbol, weight="bold", size="2")),
        rx.table.cell(rx.text(row.credited_text, size="2")),
        rx.table.cell(rx.text(row.withdrawn_text, size="2")),
        rx.table.cell(rx.text(row.withdrawable_text, size="2", class_name="balance-withdrawable")),
        rx.table.cell(
            rx.button(
                "Withdraw",
                size="1",
                on_click=withdraw(row.currency),
                disabled=~row.can_withdraw,
                class_name="balance-withdraw",
            )
        ),
        class_name="license-balance",
        custom_attrs={"data-symbol": row.symbol},
    )
