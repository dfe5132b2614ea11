"""ShellState: what every page load starts before the page's own on_load.

A browser page load opens one socket; a click on a link inside the app moves to
another page on the same socket (Reflex runs the new page's on_load, nothing is
reloaded). The session check and the wallet restore arm watches in the page's
JavaScript (the stored token, the wallet's events) that keep running across such
moves, so they are needed once per socket, not once per page: on a click to a
proposal they were four more round trips and five more events (issue 10: a
third of what a move between proposal pages cost the server). A reload or a
reconnect is a new socket, and runs them again.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from coop_dashboard.state.account import AccountState
from coop_dashboard.state.session import SessionState
from coop_dashboard.state.wallet import WalletState


class ShellState(rx.State):
    """Which socket the shell's watches were last armed on (this tab's page load)."""

    _armed_socket: str = ""

    @rx.event
    def on_page_load(self) -> list[Any]:
        # Following the member's figures is part of the page-load chain Reflex cancels
        # when the tab moves on, so it starts again with every page.
        follow: list[Any] = [AccountState.follow]
        socket = self.router.session.session_id
        if socket and socket == self._armed_socket:
            return follow
        self._armed_socket = socket
        return [SessionState.check_session, WalletState.restore, *follow]
