"""OverviewState: live facts about the cooperative, pushed by the live-data hub.

on_load shows the facts in the same event (read at most once per head and worker,
whoever asks), then the tab follows them: a new indexed block, or a change seen
by the hub's periodic re-read (the chain going away or coming back), is pushed
only when what the page shows changed. No timer per tab.
"""

from __future__ import annotations

import contextlib
from typing import Any

import reflex as rx

from coop_dashboard.services.display import format_utc
from coop_dashboard.services.live_data import LiveReadError
from coop_dashboard.services.overview_live import OVERVIEW, OVERVIEW_KEY
from coop_dashboard.services.overview_view import OverviewRead, OverviewView
from coop_dashboard.state.defaults import shared_default
from coop_dashboard.state.live import ShowSuperseded, follow_live, show_live
from coop_dashboard.state.server_render import send_whole


class OverviewState(rx.State):
    """What the overview page shows. Reads run in a worker thread, off the event loop."""

    view: OverviewView = shared_default(OverviewView())
    has_facts: bool = False
    error_title: str = ""
    error_message: str = ""
    rpc_url: str = ""
    last_read_utc: str = ""  # when the shown facts were read

    @rx.var(cache=True)
    def has_error(self) -> bool:
        return self.error_message != ""

    def _apply(self, outcome: OverviewRead) -> None:
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

    async def _show(self) -> None:
        # read_overview_view returns failures as notices: LiveReadError means a bug,
        # already logged by the hub; the page keeps what it shows.
        with contextlib.suppress(LiveReadError, ShowSuperseded):
            self._apply(await show_live(self, OVERVIEW, OVERVIEW_KEY))

    @rx.event
    async def refresh(self) -> None:
        """Show the facts as the hub has them now (read at most once per indexed head)."""
        await self._show()

    @rx.event
    async def load(self) -> Any:
        """on_load: the facts in this event's delta, then follow them."""
        await self._show()
        send_whole(self)
        return OverviewState.follow

    @rx.event(background=True)
    async def follow(self) -> None:
        await follow_live(self, OVERVIEW, _overview_key, OverviewState._apply)


def _overview_key(_state: OverviewState) -> str:
    return OVERVIEW_KEY
