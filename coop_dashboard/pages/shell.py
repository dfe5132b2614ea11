"""What every page has around its content: the wallet and session in the header,
their notices above the content, and the transaction panel over it.

This is where the stateless header widgets meet the states, so the page
modules and the layout stay unaware of wallets.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from coop_dashboard.components.tx_status import tx_status
from coop_dashboard.components.wallet_widgets import (
    connect_button,
    connected_chip,
    notice,
    sign_in_button,
    signed_in_menu,
    switch_network_button,
    wallet_picker,
)
from coop_dashboard.state.account import AccountState
from coop_dashboard.state.session import SessionState
from coop_dashboard.state.shell import ShellState
from coop_dashboard.state.tx import TxState
from coop_dashboard.state.wallet import WalletState

# Run before each page's own on_load: on a page load (a new socket), re-check the
# session token against the database, then reconnect to the wallet chosen before
# (silently) and watch it; on every page, follow the signed-in member's balance and
# voting power: the live-data hub pushes them when a new block changes them (tokens
# or delegations from elsewhere). state/shell.py says why not on every page.
SHELL_ON_LOAD: list[Any] = [ShellState.on_page_load]


def _signed_in() -> rx.Component:
    view = AccountState.view
    menu = signed_in_menu(
        address=SessionState.authenticated_address,
        votes_display=view.votes.display,
        votes_exact=view.votes.exact,
        balance_display=view.balance.display,
        balance_exact=view.balance.exact,
        symbol=view.token_symbol,
        on_sign_out=SessionState.sign_out,
        on_disconnect=WalletState.disconnect,
        # Figures are shown (and followed) whenever a session appears (sign-in,
        # reload, new tab); no reads for signed-out visitors.
        on_mount=AccountState.refresh,
    )
    return menu


def header_actions() -> rx.Component:
    switch = rx.cond(
        WalletState.on_wrong_chain,
        switch_network_button(
            chain_name=WalletState.expected_chain_name,
            on_click=WalletState.switch_network,
            loading=WalletState.switching,
        ),
    )
    not_signed_in = rx.cond(
        WalletState.connected,
        rx.hstack(
            connected_chip(address=WalletState.account, wallet_name=WalletState.wallet_name),
            rx.cond(
                ~WalletState.on_wrong_chain,
                sign_in_button(
                    on_click=SessionState.sign_in,
                    loading=SessionState.signing_in,
                ),
            ),
            spacing="2",
            align="center",
        ),
        connect_button(on_click=WalletState.connect, loading=WalletState.connecting),
    )
    # Signed in from an earlier visit while the wallet shares no account yet
    # (locked, or not reconnected): writes need it, so offer to connect.
    reconnect = rx.cond(
        SessionState.is_signed_in & ~WalletState.connected,
        connect_button(on_click=WalletState.connect, loading=WalletState.connecting),
    )
    return rx.hstack(
        switch,
        reconnect,
        rx.cond(SessionState.is_signed_in, _signed_in(), not_signed_in),
        wallet_picker(
            open=WalletState.choosing,
            choices=WalletState.choices,
            on_pick=WalletState.choose,
            on_cancel=WalletState.cancel_choice,
        ),
        spacing="2",
        align="center",
        # The navigation scrolls sideways on narrow screens; the wallet area never shrinks.
        flex_shrink="0",
        id="wallet-area",
    )


def page_notices() -> rx.Component:
    return rx.vstack(
        rx.cond(
            WalletState.has_problem,
            notice(
                title=WalletState.problem_title,
                message=WalletState.problem_message,
                on_dismiss=WalletState.dismiss_problem,
                color="amber",
                id="wallet-problem",
            ),
        ),
        rx.cond(
            SessionState.has_notice,
            notice(
                title=SessionState.notice_title,
                message=SessionState.notice_message,
                on_dismiss=SessionState.dismiss_notice,
                color="amber",
                id="session-notice",
            ),
        ),
        spacing="3",
        width="100%",
        margin_bottom=rx.cond(WalletState.has_problem | SessionState.has_notice, "1.5em", "0"),
    )


def tx_overlay() -> rx.Component:
    return tx_status(
        phase=TxState.phase,
        description=TxState.description,
        tx_hash=TxState.tx_hash,
        block_number=TxState.block_number,
        gas_used=TxState.gas_used,
        note=TxState.outcome_note,
        problem_title=TxState.problem_title,
        problem_message=TxState.problem_message,
        offer_switch=TxState.problem_kind == "wrong_chain",
        on_switch_network=WalletState.switch_network,
        on_dismiss=TxState.dismiss,
    )
