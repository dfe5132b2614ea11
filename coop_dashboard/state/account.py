"""AccountState: the signed-in member's standing (header + account page) and delegation."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from coop_dashboard.config import Settings, load_settings
from coop_dashboard.errors import CoopError
from coop_dashboard.services.account import AccountView, prepare_delegation, read_account_view
from coop_dashboard.services.address_input import parse_address_input
from coop_dashboard.services.display import format_utc
from coop_dashboard.services.transactions import PreparedWrite
from coop_dashboard.state.session import authenticated_address_now
from coop_dashboard.state.tx import start_write


def _self_delegation(settings: Settings, signer: str) -> PreparedWrite:
    return prepare_delegation(settings, signer, signer)


class AccountState(rx.State):
    """Balance, voting power and delegate of whoever is signed in in this browser."""

    view: AccountView = AccountView()
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

    @rx.event(background=True)
    async def refresh(self) -> None:
        """Re-read the signed-in member's figures (nothing when signed out)."""
        async with self:
            self.loading = True
        address = await authenticated_address_now(self)
        if address is None:
            async with self:
                self.view = AccountView()
                self.has_view = False
                self.loading = False
                self.error_title = self.error_message = ""
            return
        read = await asyncio.to_thread(read_account_view, address, load_settings())
        async with self:
            self.loading = False
            if read.notice is None:
                self.view = read.view
                self.has_view = True
                self.last_read_utc = format_utc(read.read_at)
                self.error_title = self.error_message = ""
            else:
                # Keep the last figures of the same address on screen, marked stale.
                if self.view.address.lower() != address.lower():
                    self.view = AccountView(address=address)
                    self.has_view = False
                self.error_title = read.notice.title
                self.error_message = read.notice.message

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
            refresh=[AccountState.refresh],
        )
        if event is not None:
            yield event

    @rx.event(background=True)
    async def delegate_to_address(self) -> Any:
        """Send `CoopToken.delegate(<typed address>)` after checking what was typed."""
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
            refresh=[AccountState.refresh],
        )
        if event is not None:
            yield event
