"""The wallet and transaction components render from plain values (they hold no state)."""

from __future__ import annotations

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
from coop_dashboard.services.wallet_snapshot import WalletChoice

ADDRESS = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def test_tx_status_renders_each_phase_with_its_data_attribute() -> None:
    for phase in ("preparing", "wallet", "pending", "mined", "done", "failed"):
        component = tx_status(
            phase=phase,
            description="Delegate your votes to yourself (0x7099…79C8)",
            tx_hash="0x" + "ab" * 32,
            block_number="1,234",
            gas_used="28,466",
            note="Page data refreshed from the chain.",
            problem_title="",
            problem_message="",
            offer_switch=False,
            on_switch_network=rx.console_log("switch"),
            on_dismiss=rx.console_log("dismiss"),
        )
        rendered = str(component)
        assert "tx-status" in rendered and "data-phase" in rendered, phase


def test_header_widgets_render() -> None:
    widgets = [
        connect_button(on_click=rx.console_log("connect"), loading=False),
        switch_network_button(
            chain_name="Base (chain 8453)", on_click=rx.console_log("x"), loading=True
        ),
        sign_in_button(on_click=rx.console_log("sign in"), loading=False),
        connected_chip(address=ADDRESS, wallet_name="MetaMask"),
        signed_in_menu(
            address=ADDRESS,
            votes_display="1,500,000",
            votes_exact="1500000",
            balance_display="900,000",
            balance_exact="900000",
            symbol="COOP",
            on_sign_out=rx.console_log("out"),
            on_disconnect=rx.console_log("disconnect"),
            on_mount=rx.console_log("mounted"),
        ),
        wallet_picker(
            open=True,
            choices=[WalletChoice(id="io.metamask", name="MetaMask", icon="")],
            on_pick=lambda wallet_id: rx.console_log(wallet_id),
            on_cancel=rx.console_log("cancel"),
        ),
        notice(
            title="Signed out",
            message="You switched accounts.",
            on_dismiss=rx.console_log("x"),
            color="amber",
        ),
    ]
    for widget in widgets:
        assert isinstance(widget, rx.Component)
    assert "header-votes" in str(widgets[4])
