"""AccessState: "My access" (/access): the signed-in account's passes and license earnings.

One live view keyed by the account (services/licensing/live.MY_ACCESS): a purchase
for this account made elsewhere, a revocation, a new royalty or a withdrawal shows
without a reload. Renewals (a permit signed first for a token that has one, else
an approval) and withdrawals go through the tab's one write path; both are
re-checked on the server.
"""

from __future__ import annotations

import contextlib
from typing import Any, cast

import reflex as rx
from reflex.event import EventHandler

from coop_dashboard.config import Settings
from coop_dashboard.services.licensing.access_view import AccessView
from coop_dashboard.services.licensing.live import MY_ACCESS
from coop_dashboard.services.licensing.purchases import (
    PermitRequest,
    PurchaseStep,
    prepare_renewal,
    renewal_permit,
)
from coop_dashboard.services.licensing.writes import prepare_withdrawal
from coop_dashboard.services.live_data import LiveReadError
from coop_dashboard.services.transactions import PreparedWrite
from coop_dashboard.state.defaults import shared_default
from coop_dashboard.state.licensing_writes import (
    request_permit,
    signed_permit,
    start_purchase,
    wait_for_write_slot,
)
from coop_dashboard.state.live import ShowSuperseded, follow_live, show_live, stop_live
from coop_dashboard.state.session import authenticated_address_locked
from coop_dashboard.state.tx import start_write


class AccessState(rx.State):
    view: AccessView = shared_default(AccessView())
    _account: str = ""
    _next_renewal: str = ""  # the pass whose renewal waits for its approval to be mined
    # The renewal whose permit the wallet is signing (signer, value, deadline, token).
    _permit_renewal: dict[str, Any] = {}

    def _apply(self, value: AccessView) -> None:
        self.view = value

    @rx.event
    async def load(self) -> Any:
        """The page's on_load: show, then follow, the signed-in account's view."""
        await self._show()
        return AccessState.follow

    @rx.event
    async def refresh(self) -> None:
        """Show the account signed in now (after a sign-in or out, and after a write)."""
        await self._show()

    async def _show(self) -> None:
        address = await authenticated_address_locked(self)
        self._account = address.lower() if address else ""
        if not self._account:
            stop_live(self, MY_ACCESS)
            self.view = AccessView()
            return
        if self.view.account != self._account:
            self.view = AccessView()
        with contextlib.suppress(ShowSuperseded, LiveReadError):
            self._apply(await show_live(self, MY_ACCESS, self._account))

    @rx.event(background=True)
    async def follow(self) -> None:
        await follow_live(self, MY_ACCESS, _followed, AccessState._apply)

    @rx.event(background=True)
    async def renew(self, token_id: Any) -> Any:
        """Renew a pass at its tier's terms: in ETH, or in a token with permit after the
        wallet signs one (one transaction), else approve first."""

        def permit_for(settings: Settings, signer: str) -> PermitRequest | None:
            return renewal_permit(settings, signer, token_id)

        asked = await request_permit(
            self, permit_for, cast(EventHandler, AccessState.on_permit_signed)
        )
        if asked is not None:
            call, kept = asked
            async with self:
                self._permit_renewal = {**kept, "token": str(token_id)}
            yield call
            return
        async for event in self._renew(token_id):
            yield event

    @rx.event(background=True)
    async def on_permit_signed(self, answer: Any) -> Any:
        """The wallet's answer to the renewal's permit: checked, then one transaction."""
        async with self:
            kept, self._permit_renewal = self._permit_renewal, {}
        if not kept.get("token"):
            return  # nothing was asked of this tab's wallet
        async for event in self._renew(str(kept["token"]), permit=(answer, kept)):
            yield event

    async def _renew(self, token_id: Any, permit: tuple[Any, dict[str, Any]] | None = None) -> Any:
        def prepare(settings: Settings, signer: str) -> PurchaseStep:
            signed = None if permit is None else signed_permit(*permit, signer)
            return prepare_renewal(settings, signer, token_id, signed)

        event, approval = await start_purchase(
            self,
            summary="Renew a license pass",
            prepare=prepare,
            after_approval=cast(EventHandler, AccessState.after_approval),
            after_purchase=[cast(EventHandler, AccessState.refresh)],
        )
        async with self:
            self._next_renewal = token_id if approval and isinstance(token_id, str) else ""
        if event is not None:
            yield event

    @rx.event
    def after_approval(self) -> Any:
        return AccessState.continue_renewal if self._next_renewal else None

    @rx.event(background=True)
    async def continue_renewal(self) -> Any:
        async with self:
            token_id, self._next_renewal = self._next_renewal, ""
        if not token_id:
            return
        await wait_for_write_slot(self)
        async for event in self._renew(token_id):
            yield event

    @rx.event(background=True)
    async def withdraw(self, currency: Any) -> Any:
        """Withdraw everything credited in `currency` (refused on the server when nothing)."""

        def prepare(settings: Settings, signer: str) -> PreparedWrite:
            return prepare_withdrawal(settings, signer, currency)

        event = await start_write(
            self,
            summary="Withdraw license earnings",
            prepare=prepare,
            refresh=[cast(EventHandler, AccessState.refresh)],
        )
        if event is not None:
            yield event


def _followed(state: AccessState) -> str | None:
    return state._account or None
