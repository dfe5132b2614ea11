"""The shell's page-load events: session check and wallet restore once per socket.

A click on a link keeps the tab's socket (a client-side move); the watches the
session check and the wallet restore arm in the page keep running, so only a new
socket (a reload, a new tab, a reconnect) runs them again. Following the
member's figures restarts with every page: Reflex cancels it with the old page.
"""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx
from reflex.istate.data import SessionData

from coop_dashboard.pages.shell import SHELL_ON_LOAD
from coop_dashboard.state.account import AccountState
from coop_dashboard.state.session import SessionState
from coop_dashboard.state.shell import ShellState
from coop_dashboard.state.wallet import WalletState

FULL = [SessionState.check_session, WalletState.restore, AccountState.follow]


def _names(events: list[Any]) -> list[str]:
    return [event.fn.__qualname__ for event in events]


def _load_on(shell: ShellState, socket: str) -> list[str]:
    shell.parent_state.rx_router_session = SessionData(  # type: ignore[union-attr]
        client_token="tab-1", session_id=socket
    )
    return _names(ShellState.on_page_load.fn(shell))  # type: ignore[attr-defined]


def test_session_and_wallet_are_armed_once_per_socket_and_figures_followed_per_page() -> None:
    async def scenario() -> None:
        root = rx.State(_reflex_internal_init=True)  # type: ignore[call-arg]
        shell = await root.get_state(ShellState)
        full, follow_only = _names(FULL), _names([AccountState.follow])
        assert _load_on(shell, "sid-1") == full  # the page load
        assert _load_on(shell, "sid-1") == follow_only  # a click to another page
        assert _load_on(shell, "sid-1") == follow_only
        assert _load_on(shell, "sid-2") == full  # a reload or a reconnect: a new socket
        assert _load_on(shell, "sid-2") == follow_only
        # No socket id known: never assume the watches are armed.
        assert _load_on(shell, "") == full
        assert _load_on(shell, "") == full

    asyncio.run(scenario())


def test_every_page_starts_with_the_shell() -> None:
    assert [ShellState.on_page_load] == SHELL_ON_LOAD
