"""TreasuryState: holdings, charts, flows and movements, pushed by the live-data hub;
notes and CSV export as events checked on the server."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace
from typing import Any

import reflex as rx

from coop_dashboard.services.live_data import LiveReadError, live_hub
from coop_dashboard.services.treasury.export import ExportRefused, read_movements_csv
from coop_dashboard.services.treasury.live import TREASURY
from coop_dashboard.services.treasury.notes import NoteRefused, attach_note_now
from coop_dashboard.services.treasury.periods import Period, Window
from coop_dashboard.services.treasury.view import TreasuryKey, TreasuryView, clicked_bar
from coop_dashboard.state.defaults import shared_default
from coop_dashboard.state.live import ShowSuperseded, follow_live, show_live
from coop_dashboard.state.session import authenticated_address_locked

# The one empty view every tab's TreasuryState starts with. A default declared as
# `TreasuryView()` is deep-copied per tab, and hydrate reads every substate's vars
# on every tab (this page open or not): when its figures were go.Figure objects
# that cost ~200 KB per tab (benchmarks/session_memory.py); they are Plotly JSON
# now, and sharing still spares the copy. Views are replaced whole, never changed
# in place: the live hub already hands every tab the same view object.
_EMPTY_VIEW = TreasuryView()


class TreasuryState(rx.State):
    view: TreasuryView = shared_default(_EMPTY_VIEW)
    loaded: bool = False
    export_from: str = ""
    export_to: str = ""
    export_message: str = ""
    note_for: str = ""  # the movement whose note form is open ("block:log")
    note_text: str = ""
    note_tag: str = ""
    note_message: str = ""
    _key: TreasuryKey = TreasuryKey()

    def _apply(self, value: TreasuryView) -> None:
        self.view = value
        self.loaded = True

    async def _show(self, key: TreasuryKey) -> None:
        self._key = key
        with contextlib.suppress(LiveReadError, ShowSuperseded):
            self._apply(await show_live(self, TREASURY, key))

    @rx.event
    async def load(self) -> Any:
        await self._show(self._key)
        return TreasuryState.follow

    @rx.event(background=True)
    async def follow(self) -> None:
        await follow_live(self, TREASURY, lambda s: s._key, TreasuryState._apply)

    # -- controls (any client may send any value: the key only takes known ones) ------

    @rx.event
    async def set_asset(self, symbol: str) -> None:
        if isinstance(symbol, str) and symbol in self.view.asset_symbols:
            await self._show(replace(self._key, asset=symbol, category="", bucket=""))

    @rx.event
    async def set_period(self, period: str | list[str]) -> None:
        if isinstance(period, str) and period in {p.value for p in Period}:
            await self._show(replace(self._key, period=period, category="", bucket=""))

    @rx.event
    async def set_window(self, window: str | list[str]) -> None:
        if isinstance(window, str) and window in {w.value for w in Window}:
            await self._show(replace(self._key, window=window, category="", bucket=""))

    @rx.event
    async def bar_clicked(self, points: list[dict[str, Any]]) -> None:
        """Filter the movements to the clicked bar's category and period."""
        clicked = clicked_bar(self.view.flow_traces, points)
        if clicked is not None:
            category, bucket = clicked
            await self._show(replace(self._key, category=category, bucket=bucket))

    @rx.event
    async def clear_filter(self) -> None:
        await self._show(replace(self._key, category="", bucket=""))

    # -- CSV ------------------------------------------------------------------------

    @rx.event
    def set_export_from(self, value: str) -> None:
        self.export_from = value if isinstance(value, str) else ""

    @rx.event
    def set_export_to(self, value: str) -> None:
        self.export_to = value if isinstance(value, str) else ""

    @rx.event
    async def download_csv(self) -> Any:
        try:
            text = await asyncio.to_thread(read_movements_csv, self.export_from, self.export_to)
        except ExportRefused as refused:
            self.export_message = str(refused)
            return None
        self.export_message = ""
        return rx.download(data=text, filename=f"treasury-{self.export_from}-{self.export_to}.csv")

    # -- notes ----------------------------------------------------------------------

    @rx.event
    def open_note(self, movement_id: str) -> None:
        self.note_for = movement_id if isinstance(movement_id, str) else ""
        self.note_text, self.note_tag, self.note_message = "", "", ""

    @rx.event
    def set_note_text(self, value: str) -> None:
        self.note_text = value if isinstance(value, str) else ""

    @rx.event
    def set_note_tag(self, value: str) -> None:
        self.note_tag = value if isinstance(value, str) else ""

    @rx.event
    async def save_note(self) -> None:
        author = await authenticated_address_locked(self)
        try:
            await asyncio.to_thread(
                attach_note_now, author, self.note_for, self.note_text, self.note_tag
            )
        except NoteRefused as refused:
            self.note_message = str(refused)
            return
        self.note_for, self.note_text, self.note_tag, self.note_message = "", "", "", ""
        # Notes are off-chain: no indexed head announces them, so this worker's
        # watched views are read again now (other workers show it at the next head).
        live_hub().resync()
        await self._show(self._key)
