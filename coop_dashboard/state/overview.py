"""OverviewState: live facts about the cooperative, re-read from the chain every few seconds."""

from __future__ import annotations

import time

import reflex as rx

from coop_dashboard.services.display import format_utc
from coop_dashboard.services.overview_view import OverviewRead, OverviewView, read_overview_view
from coop_dashboard.services.shared_read import SharedRead

# The page's timer fires this often while it is open (milliseconds).
REFRESH_INTERVAL_MS = 5_000
# Reads younger than this are shared by every tab instead of hitting the RPC again.
SHARED_READ_MAX_AGE_S = 2.0
# A read flagged as running for longer than this was lost (e.g. a backend restart
# with state kept in Redis); without this the flag would block refreshes forever.
STUCK_READ_AFTER_S = 120.0

_overview_reads: SharedRead[OverviewRead] = SharedRead(
    read_overview_view, max_age_s=SHARED_READ_MAX_AGE_S
)


class OverviewState(rx.State):
    """What the overview page shows. Reads run in a worker thread, off the event loop."""

    view: OverviewView = OverviewView()
    has_facts: bool = False
    error_title: str = ""
    error_message: str = ""
    rpc_url: str = ""
    last_read_utc: str = ""  # when the shown facts were read
    refreshing: bool = False
    _refresh_started_at: float = 0.0

    @rx.var(cache=True)
    def has_error(self) -> bool:
        return self.error_message != ""

    @rx.event(background=True)
    async def refresh(self) -> None:
        """Read the overview once; a read already under way for this tab makes this a no-op."""
        async with self:
            now = time.time()
            if self.refreshing and now - self._refresh_started_at < STUCK_READ_AFTER_S:
                return
            self.refreshing = True
            self._refresh_started_at = now
        try:
            outcome = await _overview_reads.get()
        except BaseException:
            # Cancelled (client gone, server stopping): never leave the flag stuck.
            async with self:
                self.refreshing = False
            raise
        async with self:
            self.refreshing = False
            self.rpc_url = outcome.rpc_url
            if outcome.notice is None:
                self.view = outcome.view
                self.has_facts = True
                self.last_read_utc = format_utc(outcome.read_at)
                self.error_title = ""
                self.error_message = ""
            else:
                # Keep the last facts on screen (marked stale) rather than blanking the page.
                self.error_title = outcome.notice.title
                self.error_message = outcome.notice.message
