"""The overview as a live view: re-read at every indexed head, and every few seconds while
watched, because it also reads the chain (so an RPC outage shows even when no block comes)."""

from __future__ import annotations

from coop_dashboard.services.live_data import LiveView
from coop_dashboard.services.overview_view import OverviewRead, read_overview_view

# One key: every tab shows the same overview.
OVERVIEW_KEY = "overview"
# Without a new head, the facts are read again after this long (once per worker).
OVERVIEW_STALE_AFTER_S = 5.0


def _read(_key: str) -> OverviewRead:
    return read_overview_view()


def _same(a: OverviewRead, b: OverviewRead) -> bool:
    # When it was read is no news: tabs get a push only when what they show changed.
    return (a.view, a.notice, a.rpc_url) == (b.view, b.notice, b.rpc_url)


OVERVIEW = LiveView("overview", read=_read, stale_after_s=OVERVIEW_STALE_AFTER_S, same=_same)
