"""ProviderState: /providers/[address], a compute provider's record, live from the index."""

from __future__ import annotations

from typing import Any

import reflex as rx

from coop_dashboard.services.jobs.inputs import JobActionRefused, address_value
from coop_dashboard.services.jobs.live import PROVIDER_PAGE
from coop_dashboard.services.jobs.provider_view import ProviderView
from coop_dashboard.services.live_data import LiveReadError
from coop_dashboard.state.defaults import shared_default
from coop_dashboard.state.live import ShowSuperseded, follow_live, show_live, stop_live

UNREADABLE = "The job index cannot be read right now. Retrying shortly."


def address_from_path(path: str) -> str | None:
    try:
        return address_value(path.rstrip("/").rsplit("/", 1)[-1], "Address").lower()
    except JobActionRefused:
        return None


class ProviderState(rx.State):
    view: ProviderView = shared_default(ProviderView())
    notice: str = ""
    invalid: bool = False

    def _address(self) -> str | None:
        return address_from_path(self.router.url.path)

    def _apply(self, value: ProviderView) -> None:
        self.view = value
        self.notice = ""

    @rx.event
    async def load(self) -> Any:
        address = self._address()
        self.invalid = address is None
        if address is None:
            stop_live(self, PROVIDER_PAGE)
            self.view = ProviderView(loaded=True)
            return None
        if self.view.address != address:
            self.view = ProviderView()
        try:
            self._apply(await show_live(self, PROVIDER_PAGE, address))
        except ShowSuperseded:
            pass
        except LiveReadError:
            self.notice = UNREADABLE
        return ProviderState.follow

    @rx.event(background=True)
    async def follow(self) -> None:
        await follow_live(self, PROVIDER_PAGE, ProviderState._address, ProviderState._apply)
