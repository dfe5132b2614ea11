"""DelegateDirectoryState: the /delegates list (search, filters, sorts, pages), from SQL.

Live through the hub (state/live.py): on_load shows the first page in the same
event and starts the tab's follower. The weighted-random order's seed is drawn
once per tab and kept in its state, so the order is stable while the tab lives.
Every control value is checked by services/delegates/directory.clean_key.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

import reflex as rx

from coop_dashboard.services.delegates.directory import (
    DIRECTORY,
    DelegateRow,
    DirectoryKey,
    DirectoryResult,
    clean_key,
)
from coop_dashboard.services.delegates.profile import current_delegate
from coop_dashboard.services.live_data import LiveReadError
from coop_dashboard.state.live import ShowSuperseded, follow_live, show_live
from coop_dashboard.state.session import authenticated_address_locked

UNREADABLE = "The delegate index cannot be read right now. Retrying shortly."


class DelegateDirectoryState(rx.State):
    """What the directory shows; every control change shows the matching page."""

    rows: list[DelegateRow] = []
    topics: list[str] = []
    total: int = 0
    page: int = 1
    page_count: int = 1
    search: str = ""
    topic: str = ""
    seeking_only: bool = False
    with_statement: bool = False
    only_mine: bool = False
    sort: str = "random"
    notice: str = ""
    loaded: bool = False
    seed: int = 0
    _key: DirectoryKey | None = None

    def _apply(self, result: DirectoryResult) -> None:
        self.rows = result.rows
        self.total = result.total
        self.page_count = result.page_count
        self.topics = result.topics
        self.loaded = True
        self.notice = ""

    async def _show(self) -> None:
        if self.seed == 0:
            self.seed = secrets.randbelow(2**31 - 1) + 1
        mine: str | None = None
        if self.only_mine:
            member = await authenticated_address_locked(self)
            if member is None:
                self.notice = "Sign in to see your delegate."
                self.only_mine = False
            else:
                mine = await asyncio.to_thread(current_delegate, member)
        self._key = clean_key(
            DirectoryKey(
                search=self.search,
                topic=self.topic,
                seeking_only=self.seeking_only,
                with_statement=self.with_statement,
                my_delegate=mine,
                only_mine=self.only_mine,
                sort=self.sort,
                seed=self.seed,
                page=self.page,
            )
        )
        try:
            result = await show_live(self, DIRECTORY, self._key)
        except ShowSuperseded:
            return
        except LiveReadError:
            self.notice = UNREADABLE
            return
        self._apply(result)

    @rx.event
    async def load(self) -> Any:
        await self._show()
        return DelegateDirectoryState.follow

    @rx.event(background=True)
    async def follow(self) -> None:
        await follow_live(self, DIRECTORY, _shown_key, DelegateDirectoryState._apply)

    @rx.event
    async def set_search(self, value: str) -> None:
        self.page = 1
        self.search = value[:200] if isinstance(value, str) else ""
        await self._show()

    @rx.event
    async def set_topic(self, value: str) -> None:
        self.page = 1
        self.topic = "" if not isinstance(value, str) or value == "all" else value[:64]
        await self._show()

    @rx.event
    async def set_sort(self, value: str) -> None:
        self.page = 1
        self.sort = value if isinstance(value, str) else "random"
        await self._show()
        self.sort = self._key.sort if self._key else "random"

    @rx.event
    async def set_seeking_only(self, value: bool) -> None:
        self.page, self.seeking_only = 1, value is True
        await self._show()

    @rx.event
    async def set_with_statement(self, value: bool) -> None:
        self.page, self.with_statement = 1, value is True
        await self._show()

    @rx.event
    async def set_only_mine(self, value: bool) -> None:
        self.page, self.only_mine = 1, value is True
        await self._show()

    @rx.event
    async def next_page(self) -> None:
        self.page = min(self.page + 1, self.page_count)
        await self._show()

    @rx.event
    async def previous_page(self) -> None:
        self.page = max(self.page - 1, 1)
        await self._show()

    @rx.event
    async def refresh(self) -> None:
        await self._show()


def _shown_key(state: DelegateDirectoryState) -> DirectoryKey | None:
    return state._key
