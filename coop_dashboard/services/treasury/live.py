"""The treasury page as a live view: re-read from SQL at every indexed head."""

from __future__ import annotations

from coop_dashboard.services.live_data import LiveView
from coop_dashboard.services.treasury.view import TreasuryKey, TreasuryView, read_treasury_view


def _read(key: TreasuryKey) -> TreasuryView:
    return read_treasury_view(key)


TREASURY = LiveView("treasury", read=_read)
