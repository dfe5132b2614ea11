"""The licensing section of a dataset's page: tiers and what a purchase splits, buying for
yourself or another address, your passes and the download, the contributor's tier form,
and the access log for the contributor and governance."""

from __future__ import annotations

import reflex as rx

from coop_dashboard.components.license_items import log_row, pass_row, tier_card
from coop_dashboard.components.section_card import section_card
from coop_dashboard.components.when_changed import on_sign_in_change
from coop_dashboard.services.licensing.inputs import PURPOSE_LABELS, USE_LABELS
from coop_dashboard.state.licensing import LicensingState as L
from coop_dashboard.state.session import SessionState


def _tiers() -> rx.Component:
    view = L.view
    return rx.vstack(
        rx.cond(
            view.closed_reason != "",
            rx.callout(view.closed_reason, icon="ban", color_scheme="amber", id="license-closed"),
        ),
        rx.cond(view.shares_text != "", rx.text(view.shares_text, size="1", color_scheme="gray")),
        rx.cond(
            view.tiers.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(
                rx.foreach(
                    view.tiers,
                    lambda tier: tier_card(
                        tier,
                        L.buy,  # type: ignore[arg-type]
                        view.licensable,  # type: ignore[arg-type]
                        L.edit_tier,  # type: ignore[arg-type]
                        L.mine.is_contributor,  # type: ignore[arg-type]
                        L.set_tier_active,
                    ),
                ),
                width="100%",
            ),
            rx.text(
                "No license is offered for this dataset yet.",
                size="2",
                color_scheme="gray",
                id="license-no-tiers",
            ),
        ),
        rx.cond(
            view.licensable & (view.tiers.length() > 0),  # type: ignore[attr-defined]
            rx.hstack(
                rx.text("Buy for", size="2", white_space="nowrap"),
                rx.input(
                    placeholder="yourself (or a holder's address, e.g. your compute provider)",
                    value=L.holder_input,
                    on_change=L.set_holder_input,
                    id="license-holder",
                    width="100%",
                ),
                align="center",
                width="100%",
            ),
        ),
        spacing="3",
        width="100%",
    )


def _my_passes() -> rx.Component:
    mine = L.mine
    return rx.cond(
        SessionState.is_signed_in,
        rx.vstack(
            rx.cond(
                mine.passes.length() > 0,  # type: ignore[attr-defined]
                rx.vstack(
                    rx.text("Your passes to this dataset", weight="bold", size="2"),
                    rx.table.root(
                        rx.table.body(rx.foreach(mine.passes, lambda row: pass_row(row))),
                        size="1",
                        width="100%",
                    ),
                    width="100%",
                    id="license-my-passes",
                ),
            ),
            rx.cond(
                mine.has_valid_pass | mine.is_contributor,
                rx.hstack(
                    rx.button(
                        rx.icon("download", size=14),
                        "Download the data",
                        on_click=L.download,
                        id="license-download",
                    ),
                    rx.text(
                        L.download_message,
                        size="2",
                        color_scheme=rx.cond(L.download_ok, "green", "red"),
                        id="license-download-message",
                    ),
                    align="center",
                    wrap="wrap",
                ),
            ),
            width="100%",
        ),
    )


def _select(value: rx.Var, options: dict[str, str], on_change: object, id: str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(id=id),
        rx.select.content(*[rx.select.item(label, value=key) for key, label in options.items()]),
        value=value,
        on_change=on_change,
    )


def _tier_form() -> rx.Component:
    return rx.cond(
        L.mine.is_contributor & L.view.accepts_tiers,
        rx.vstack(
            rx.divider(),
            rx.text(
                rx.cond(L.tier_index == "", "Offer a new tier", "Change tier " + L.tier_index),
                weight="bold",
                size="2",
            ),
            rx.foreach(L.view.parent_limits, lambda line: rx.text(line, size="1")),
            rx.grid(
                rx.input(
                    placeholder="Price",
                    value=L.tier_price,
                    on_change=L.set_tier_price,
                    id="tier-price",
                ),
                rx.select(
                    L.view.currencies,
                    value=L.tier_currency,
                    on_change=L.set_tier_currency,
                    id="tier-currency",
                ),
                rx.input(
                    placeholder="Days",
                    value=L.tier_days,
                    on_change=L.set_tier_days,
                    id="tier-days",
                ),
                _select(L.tier_purpose, PURPOSE_LABELS, L.set_tier_purpose, "tier-purpose"),  # type: ignore[arg-type]
                _select(L.tier_use, USE_LABELS, L.set_tier_use, "tier-use"),  # type: ignore[arg-type]
                rx.hstack(
                    rx.switch(
                        checked=L.tier_attribution,
                        on_change=L.set_tier_attribution,
                        id="tier-attribution",
                    ),
                    rx.text("Attribution", size="2"),
                    rx.switch(
                        checked=L.tier_share_alike,
                        on_change=L.set_tier_share_alike,
                        id="tier-share-alike",
                    ),
                    rx.text("Share-alike", size="2"),
                    align="center",
                ),
                columns=rx.breakpoints(initial="1", sm="3"),
                spacing="2",
                width="100%",
            ),
            rx.hstack(
                rx.button(
                    rx.cond(L.tier_index == "", "Offer tier", "Save tier"),
                    on_click=L.set_tier,
                    id="tier-submit",
                ),
                rx.cond(
                    L.tier_index != "",
                    rx.button("Cancel", variant="soft", on_click=L.edit_tier("")),  # type: ignore[operator]
                ),
            ),
            width="100%",
            id="license-tier-form",
        ),
    )


def _access_log() -> rx.Component:
    mine = L.mine
    return rx.cond(
        mine.can_read_log,
        rx.vstack(
            rx.divider(),
            rx.text("Passes sold", weight="bold", size="2"),
            rx.table.root(
                rx.table.body(
                    rx.foreach(mine.holders, lambda row: pass_row(row, show_holder=True))
                ),
                size="1",
                width="100%",
                id="license-holders",
            ),
            rx.text("Access log (latest 100 downloads)", weight="bold", size="2"),
            rx.cond(
                mine.log.length() > 0,  # type: ignore[attr-defined]
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[
                                rx.table.column_header_cell(title)
                                for title in ("When", "Who", "Purpose", "Bytes", "Via")
                            ]
                        )
                    ),
                    rx.table.body(rx.foreach(mine.log, log_row)),
                    size="1",
                    width="100%",
                ),
                rx.text("Nobody has downloaded the data yet.", size="1", color_scheme="gray"),
            ),
            width="100%",
            id="license-access-log",
        ),
    )


def license_section() -> rx.Component:
    return section_card(
        "Licenses",
        "key_round",
        rx.cond(L.notice != "", rx.callout(L.notice, icon="triangle_alert", color_scheme="amber")),
        _tiers(),
        _my_passes(),
        _tier_form(),
        _access_log(),
        # Signing in or out here re-asks what this account sees (its passes, the log).
        on_sign_in_change(L.refresh_account),
        description=(
            "Buying mints a soulbound access pass (ERC-721, ERC-5192) to the holder; the "
            "price is split as shown. Passes are checked on chain at every download."
        ),
        id="dataset-licenses",
    )
