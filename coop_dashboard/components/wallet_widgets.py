"""Header pieces for the wallet and the session: connect, switch network, sign in, account.

Stateless like every component: values and event handlers come in as arguments
(pages/shell.py binds them to the states).
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import StringVar, Var

from coop_dashboard.components.address_chip import short_address_var
from coop_dashboard.services.wallet_snapshot import WalletChoice

Text = str | Var[str]
Flag = bool | Var[bool]


def _text(value: Text) -> StringVar:
    return Var.create(value).to(str)


def _wide_only(*children: Any, **props: Any) -> rx.Component:
    # Phones get icons only: the header must still fit the navigation.
    return rx.text.span(*children, display=rx.breakpoints(initial="none", sm="inline"), **props)


def connect_button(*, on_click: Any, loading: Flag) -> rx.Component:
    return rx.button(
        rx.icon("wallet", size=15),
        _wide_only("Connect wallet"),
        size="2",
        aria_label="Connect wallet",
        loading=loading,
        on_click=on_click,
        id="connect-wallet",
    )


def switch_network_button(*, chain_name: Text, on_click: Any, loading: Flag) -> rx.Component:
    return rx.tooltip(
        rx.button(
            rx.icon("triangle_alert", size=15),
            _wide_only("Switch network"),
            size="2",
            aria_label="Switch network",
            color_scheme="red",
            variant="soft",
            loading=loading,
            on_click=on_click,
            id="switch-network",
        ),
        content="Your wallet is on another network; this dashboard runs on " + _text(chain_name),
    )


def sign_in_button(*, on_click: Any, loading: Flag) -> rx.Component:
    return rx.button(
        rx.icon("log_in", size=15),
        "Sign in",
        size="2",
        loading=loading,
        on_click=on_click,
        id="sign-in",
    )


def connected_chip(*, address: Text, wallet_name: Text) -> rx.Component:
    """The wallet's account before sign-in: who would sign."""
    return rx.badge(
        rx.icon("wallet", size=12),
        short_address_var(address),
        variant="surface",
        color_scheme="gray",
        size="2",
        display=rx.breakpoints(initial="none", sm="flex"),
        title=_text(wallet_name) + ": " + _text(address),
        id="wallet-account",
        custom_attrs={"data-address": address},
    )


def signed_in_menu(
    *,
    address: Text,
    votes_display: Text,
    votes_exact: Text,
    balance_display: Text,
    balance_exact: Text,
    symbol: Text,
    on_sign_out: Any,
    on_disconnect: Any,
    on_mount: Any,
) -> rx.Component:
    """Signed-in address with voting power and balance; the menu signs out or disconnects."""
    figures = rx.hstack(
        rx.tooltip(
            rx.badge(
                rx.icon("vote", size=12),
                rx.text.span(
                    votes_display, id="header-votes", custom_attrs={"data-value": votes_exact}
                ),
                variant="soft",
                size="2",
                class_name="tabular-nums",
            ),
            content="Your voting power (votes delegated to you, including your own)",
        ),
        rx.tooltip(
            rx.badge(
                rx.text.span(
                    balance_display, id="header-balance", custom_attrs={"data-value": balance_exact}
                ),
                " ",
                symbol,
                variant="soft",
                color_scheme="gray",
                size="2",
                class_name="tabular-nums",
            ),
            content="Your token balance",
        ),
        spacing="2",
        align="center",
        display=rx.breakpoints(initial="none", md="flex"),
    )
    menu = rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.icon("circle_user_round", size=15),
                _wide_only(short_address_var(address), id="header-address"),
                rx.icon("chevron_down", size=13),
                variant="surface",
                size="2",
                title=address,
                custom_attrs={"data-address": address},
                id="account-menu",
            )
        ),
        rx.menu.content(
            rx.menu.item(
                rx.link("My account", href="/account", underline="none", color="inherit"),
                id="menu-account",
            ),
            rx.menu.separator(),
            rx.menu.item("Sign out", on_select=on_sign_out, id="sign-out"),
            rx.menu.item(
                "Disconnect wallet", on_select=on_disconnect, color="red", id="disconnect-wallet"
            ),
        ),
    )
    return rx.hstack(figures, menu, spacing="2", align="center", on_mount=on_mount)


def _choice(choice: WalletChoice, on_pick: Any) -> rx.Component:
    return rx.button(
        rx.cond(
            choice.icon != "",
            rx.image(src=choice.icon, width="22px", height="22px", alt=""),
            rx.icon("wallet", size=18),
        ),
        choice.name,
        variant="surface",
        size="3",
        width="100%",
        justify="start",
        on_click=on_pick(choice.id),
        custom_attrs={"data-wallet-id": choice.id},
        class_name="wallet-choice",
    )


def wallet_picker(
    *,
    open: Flag,
    choices: list[WalletChoice] | Var[list[WalletChoice]],
    on_pick: Any,
    on_cancel: Any,
) -> rx.Component:
    """A dialog listing the installed wallets when there is more than one."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Choose a wallet"),
            rx.dialog.description(
                "Several wallets are installed in this browser. Which one should this "
                "dashboard use?",
                size="2",
                color_scheme="gray",
            ),
            rx.vstack(
                rx.foreach(choices, lambda choice: _choice(choice, on_pick)),
                spacing="2",
                margin_top="1em",
                width="100%",
            ),
            rx.flex(
                rx.button("Cancel", variant="soft", color_scheme="gray", on_click=on_cancel),
                justify="end",
                margin_top="1em",
            ),
            id="wallet-picker",
            max_width="380px",
        ),
        open=open,
        on_open_change=lambda _open: on_cancel,
    )


def notice(
    *, title: Text, message: Text, on_dismiss: Any, color: str, **props: Any
) -> rx.Component:
    """A dismissible callout under the header (sign-in refused, signed out, no wallet...)."""
    return rx.callout.root(
        rx.callout.icon(rx.icon("info")),
        rx.hstack(
            rx.vstack(
                rx.text(title, weight="bold", size="2"),
                rx.text(message, size="2", class_name="notice-message"),
                spacing="1",
            ),
            rx.spacer(),
            rx.icon_button(
                rx.icon("x", size=14),
                size="1",
                variant="ghost",
                color_scheme="gray",
                on_click=on_dismiss,
                aria_label="Dismiss",
            ),
            width="100%",
            align="start",
        ),
        color_scheme=color,
        variant="surface",
        role="alert",
        width="100%",
        **props,
    )
