"""The account page ("/account"): the signed-in member's standing and their delegation."""

from __future__ import annotations

import reflex as rx

from coop_dashboard.components.address_chip import address_chip, short_address_var
from coop_dashboard.components.error_banner import error_banner
from coop_dashboard.components.section_card import section_card
from coop_dashboard.components.stat_card import stat_card
from coop_dashboard.pages.guards import require_login
from coop_dashboard.pages.registry import dashboard_page
from coop_dashboard.state.account import AccountState
from coop_dashboard.state.tx import TxState
from coop_dashboard.state.wallet import WalletState

DESCRIPTION = "Your balance, your voting power and who votes with your tokens."


def _header() -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.heading("My account", size="7"),
            rx.text(DESCRIPTION, size="2", color_scheme="gray"),
            spacing="1",
        ),
        rx.spacer(),
        rx.hstack(
            rx.cond(
                AccountState.last_read_utc != "",
                rx.text("Updated ", AccountState.last_read_utc, size="1", color_scheme="gray"),
            ),
            rx.button(
                rx.spinner(rx.icon("refresh_cw", size=14), loading=AccountState.loading),
                "Refresh",
                variant="surface",
                on_click=AccountState.refresh,
                id="account-refresh",
            ),
            spacing="3",
            align="center",
        ),
        direction=rx.breakpoints(initial="column", sm="row"),
        gap="3",
        width="100%",
    )


def _stats() -> rx.Component:
    view = AccountState.view
    delegate = view.delegate
    return rx.grid(
        stat_card(
            "Voting power",
            view.votes.display,
            exact=view.votes.exact,
            value_id="account-votes",
            icon="vote",
            caption="Votes you can cast now: delegated to you, your own included",
        ),
        stat_card(
            "Balance",
            view.balance.display,
            exact=view.balance.exact,
            value_id="account-balance",
            icon="coins",
            caption=view.token_symbol,
        ),
        stat_card(
            "Delegate",
            rx.cond(
                delegate == "",
                "Nobody",
                rx.cond(view.delegates_to_self, "Yourself", short_address_var(delegate)),
            ),
            exact=delegate,
            value_id="account-delegate",
            icon="user_check",
            caption=rx.cond(
                delegate == "",
                "Your tokens count for nobody's vote until you delegate.",
                "Who votes with your tokens.",
            ),
        ),
        stat_card(
            "ETH for gas",
            view.eth_balance.display,
            exact=view.eth_balance.exact,
            value_id="account-eth",
            icon="fuel",
            caption="Pays the network fee of each transaction",
        ),
        columns=rx.breakpoints(initial="1", sm="2", lg="4"),
        spacing="4",
        width="100%",
    )


def _delegation() -> rx.Component:
    busy = TxState.busy
    return section_card(
        "Delegation",
        "user_check",
        rx.text(
            "Your tokens vote only once delegated: to yourself, to vote directly, or to "
            "someone you trust. You can change it at any time; your tokens never leave "
            "your account.",
            size="2",
        ),
        rx.hstack(
            rx.button(
                rx.icon("user_round", size=15),
                "Delegate to myself",
                on_click=AccountState.delegate_to_self,
                disabled=busy,
                id="delegate-self",
            ),
            rx.cond(
                AccountState.view.delegates_to_self,
                rx.text("You already vote with your own tokens.", size="1", color_scheme="gray"),
            ),
            align="center",
            spacing="3",
            wrap="wrap",
        ),
        rx.form(
            rx.vstack(
                rx.text("Delegate to another address", size="2", weight="medium"),
                rx.hstack(
                    rx.input(
                        placeholder="0x… (40 hexadecimal digits)",
                        value=AccountState.delegate_input,
                        on_change=AccountState.set_delegate_input,
                        width="100%",
                        max_width="440px",
                        font_family="var(--code-font-family)",
                        id="delegate-input",
                        custom_attrs={"aria-invalid": AccountState.delegate_input_error != ""},
                    ),
                    rx.button(
                        "Delegate",
                        type="submit",
                        variant="surface",
                        disabled=busy,
                        id="delegate-to-address",
                    ),
                    spacing="2",
                    width="100%",
                ),
                rx.cond(
                    AccountState.delegate_input_error != "",
                    rx.text(
                        AccountState.delegate_input_error,
                        size="1",
                        color_scheme="red",
                        id="delegate-input-error",
                        role="alert",
                    ),
                ),
                spacing="2",
                width="100%",
            ),
            on_submit=lambda _form: AccountState.delegate_to_address,
            reset_on_submit=False,
            width="100%",
        ),
        rx.text(
            "Each change is a transaction you sign in your wallet.",
            size="1",
            color_scheme="gray",
        ),
    )


def _fact_row(label: str, value: rx.Component) -> rx.Component:
    return rx.hstack(
        rx.text(label, size="2", color_scheme="gray", min_width="7em"),
        value,
        align="center",
        spacing="3",
        width="100%",
    )


def _identity() -> rx.Component:
    view = AccountState.view
    return section_card(
        "Signed in as",
        "fingerprint",
        _fact_row("Address", address_chip(view.address, id="account-address")),
        _fact_row(
            "Wallet",
            rx.text(
                rx.cond(
                    WalletState.connected, WalletState.wallet_name, "Not connected in this tab"
                ),
                size="2",
            ),
        ),
        _fact_row("Network", rx.text(WalletState.expected_chain_name, size="2")),
        _fact_row(
            "Figures at",
            rx.text(
                "block ",
                view.block_number.display,
                size="2",
                class_name="tabular-nums",
                id="account-block",
                custom_attrs={"data-value": view.block_number.exact},
            ),
        ),
        description="The address you proved you control when you signed in.",
    )


@dashboard_page(
    route="/account",
    title="My account",
    icon="circle_user_round",
    order=90,
    description=DESCRIPTION,
    on_load=AccountState.refresh,
)
@require_login("your account")
def account() -> rx.Component:
    return rx.vstack(
        _header(),
        rx.cond(
            AccountState.has_error,
            error_banner(AccountState.error_title, AccountState.error_message, id="account-error"),
        ),
        rx.cond(
            AccountState.has_view,
            rx.vstack(
                _stats(),
                rx.grid(
                    _delegation(),
                    _identity(),
                    columns=rx.breakpoints(initial="1", md="2"),
                    spacing="4",
                    width="100%",
                ),
                spacing="4",
                width="100%",
                opacity=rx.cond(AccountState.has_error, "0.55", "1"),
                id="account-facts",
            ),
            rx.cond(
                AccountState.has_error,
                rx.fragment(),
                rx.center(
                    rx.hstack(rx.spinner(size="3"), rx.text("Reading your account…")),
                    padding_y="4em",
                    width="100%",
                ),
            ),
        ),
        spacing="5",
        width="100%",
    )
