"""AccountState: the signed-in member's standing (header + account page) and delegation."""

from __future__ import annotations

import contextlib
from typing import Any, cast

import reflex as rx
from reflex.event import EventHandler

from coop_dashboard.config import Settings
from coop_dashboard.errors import CoopError
from coop_dashboard.services.account import AccountRead, AccountView, prepare_delegation
from coop_dashboard.services.account_live import ACCOUNT
from coop_dashboard.services.address_input import parse_address_input
from coop_dashboard.services.display import format_utc
from coop_dashboard.services.live_data import LiveReadError
from coop_dashboard.services.transactions import PreparedWrite
from coop_dashboard.state.defaults import shared_default
from coop_dashboard.state.live import ShowSuperseded, follow_live, show_live, stop_live
from coop_dashboard.state.session import authenticated_address_locked
from coop_dashboard.state.tx import start_write


def _self_delegation(settings: Settings, signer: str) -> PreparedWrite:
    return prepare_delegation(settings, signer, signer)


class AccountState(rx.State):
    """Balance, voting power and delegate of whoever is signed in in this browser."""

    view: AccountView = shared_default(AccountView())
    has_view: bool = False
    loading: bool = False
    error_title: str = ""
    error_message: str = ""
    last_read_utc: str = ""
    delegate_input: str = ""
    delegate_input_error: str = ""

    @rx.var(cache=True)
    def has_error(self) -> bool:
        return self.error_message != ""

    # The address whose figures are shown and followed ("" = signed out).
    _address: str = ""

    def _apply(self, read: AccountRead) -> None:
        if read.notice is None:
            self.view = read.view
            self.has_view = True
            self.last_read_utc = format_utc(read.read_at)
            self.error_title = self.error_message = ""
        else:
            # Keep the last figures of the same address on screen, marked stale.
            if self.view.address.lower() != read.view.address.lower():
                self.view = AccountView(address=read.view.address)
                self.has_view = False
            self.error_title = read.notice.title
            self.error_message = read.notice.message

    @rx.event
    async def refresh(self) -> None:
        """Show the signed-in member's figures now (nothing when signed out) and follow them:
        runs when a session appears (sign-in, reload, new tab) and after this tab's writes."""
        address = await authenticated_address_locked(self)
        self.loading = False
        if address is None:
            self._address = ""
            stop_live(self, ACCOUNT)
            self.view = AccountView()
            self.has_view = False
            self.error_title = self.error_message = ""
            return
        self._address = address.lower()
        # read_account_view returns failures as notices: LiveReadError is a bug the hub logged.
        with contextlib.suppress(LiveReadError, ShowSuperseded):
            self._apply(await show_live(self, ACCOUNT, self._address))

    @rx.event(background=True)
    async def follow(self) -> None:
        """Started with every page: new blocks move the header's balance and voting power."""
        await follow_live(self, ACCOUNT, _followed_address, AccountState._apply)

    @rx.event
    def set_delegate_input(self, value: str) -> None:
        self.delegate_input = value
        self.delegate_input_error = ""

    @rx.event(background=True)
    async def delegate_to_self(self) -> Any:
        """Send `CoopToken.delegate(me)`: the member votes with their own tokens."""
        event = await start_write(
            self,
            summary="Delegate your votes to yourself",
            prepare=_self_delegation,
            refresh=[cast(EventHandler, AccountState.refresh)],
        )
        if event is not None:
            yield event

    # A plain event, then background work: it reads what was typed only after the
    # edits sent before the click (state/__init__.py says why).
    @rx.event
    def delegate_to_address(self) -> Any:
        """Send `CoopToken.delegate(<typed address>)` after checking what was typed."""
        return AccountState.run_delegate_to_address

    @rx.event(background=True)
    async def run_delegate_to_address(self) -> Any:
        async with self:
            typed = self.delegate_input
        try:
            delegatee = parse_address_input(typed)
        except CoopError as exc:
            async with self:
                self.delegate_input_error = str(exc)
            return
        async with self:
            self.delegate_input_error = ""

        def prepare(settings: Settings, signer: str) -> PreparedWrite:
            return prepare_delegation(settings, signer, delegatee)

        event = await start_write(
            self,
            summary="Delegate your votes",
            prepare=prepare,
            refresh=[cast(EventHandler, AccountState.refresh)],
        )
        if event is not None:
            yield event


def _followed_address(state: AccountState) -> str | None:
    return state._address or None
