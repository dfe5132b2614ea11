"""JobBoardState: /jobs (status, dataset, asset, bounty, search, sort, page), pushed by the hub.

Each control is a normal event that builds the next board key on the server
(services/jobs/board_view.changed_key: a client may send anything) and shows
that key's page in the same delta; a new job, bid or status change reaches
every tab showing an affected page at the next indexed head, without a timer.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from coop_dashboard.services.jobs.board_view import (
    ANY,
    BoardInputError,
    BoardKey,
    BoardView,
    changed_key,
)
from coop_dashboard.services.jobs.live import JOB_BOARD
from coop_dashboard.services.live_data import LiveReadError
from coop_dashboard.state.defaults import shared_default
from coop_dashboard.state.live import ShowSuperseded, follow_live, show_live
from coop_dashboard.state.server_render import send_whole

UNREADABLE = "The job index cannot be read right now. Retrying shortly."
ALL = "all"  # what the selects send for "no filter" (a select item cannot be empty)


def _control_value(value: Any) -> Any:
    return ANY if value == ALL else value


class JobBoardState(rx.State):
    view: BoardView = shared_default(BoardView())
    search: str = ""
    status: str = ALL
    dataset: str = ""
    asset: str = ALL
    min_bounty: str = ""
    sort: str = "newest"
    notice: str = ""
    _key: BoardKey = BoardKey()

    def _apply(self, value: BoardView) -> None:
        self.view = value

    async def _show(self, key: BoardKey) -> None:
        self._key = key
        self.search, self.sort = key.search, key.sort
        self.status = key.status or ALL
        self.asset = key.asset or ALL
        self.dataset = str(key.dataset) if key.dataset else ""
        try:
            self._apply(await show_live(self, JOB_BOARD, key))
            self.notice = self.view.notice
        except ShowSuperseded:
            pass
        except LiveReadError:
            self.notice = UNREADABLE

    async def _change(self, control: str, value: Any) -> None:
        try:
            # The tokens the last board read offered (the browser may send anything).
            tokens = {o.value: o.decimals for o in self.view.asset_options}
            key = changed_key(self._key, control, _control_value(value), tokens)
        except BoardInputError as refused:
            self.notice = str(refused)
            return
        if control == "min_bounty":
            self.min_bounty = value if isinstance(value, str) else ""
        elif control == "asset":
            self.min_bounty = ""
        await self._show(key)

    @rx.event
    async def load(self) -> Any:
        await self._show(self._key)
        send_whole(self)
        return JobBoardState.follow

    @rx.event(background=True)
    async def follow(self) -> None:
        await follow_live(self, JOB_BOARD, lambda s: s._key, JobBoardState._apply)

    @rx.event
    async def set_search(self, value: Any) -> None:
        await self._change("search", value)

    @rx.event
    async def set_status(self, value: Any) -> None:
        await self._change("status", value)

    @rx.event
    async def set_dataset(self, value: Any) -> None:
        await self._change("dataset", value)

    @rx.event
    async def set_asset(self, value: Any) -> None:
        await self._change("asset", value)

    @rx.event
    async def set_min_bounty(self, value: Any) -> None:
        await self._change("min_bounty", value)

    @rx.event
    async def set_sort(self, value: Any) -> None:
        await self._change("sort", value)

    @rx.event
    async def next_page(self) -> None:
        if self._key.page < self.view.pages:
            await self._change("page", self._key.page + 1)

    @rx.event
    async def previous_page(self) -> None:
        if self._key.page > 1:
            await self._change("page", self._key.page - 1)

    @rx.event
    async def clear_filters(self) -> None:
        self.min_bounty = ""
        await self._show(BoardKey(sort=self._key.sort))
