"""DatasetCatalogState: /datasets (search, filters, sort, page), pushed by the live-data hub.

Each control is a normal event that builds the next catalog key on the server
(services/datasets/catalog_view.changed_key: a client may send anything) and
shows that key's page in the same delta; a new registration reaches every tab
showing an affected page at the next indexed head, without a reload or a timer.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from coop_dashboard.services.datasets.catalog_view import (
    ANY,
    CatalogInputError,
    CatalogKey,
    CatalogView,
    changed_key,
)
from coop_dashboard.services.datasets.live import DATASET_CATALOG
from coop_dashboard.services.live_data import LiveReadError
from coop_dashboard.state.defaults import shared_default
from coop_dashboard.state.live import ShowSuperseded, follow_live, show_live
from coop_dashboard.state.server_render import send_whole

UNREADABLE = "The dataset index cannot be read right now. Retrying shortly."
# What the selects send for "no filter" (a Radix select item cannot have an empty value).
ALL = "all"


def _control_value(value: Any) -> Any:
    return ANY if value == ALL else value


class DatasetCatalogState(rx.State):
    view: CatalogView = shared_default(CatalogView())
    search: str = ""
    modality: str = ALL
    license: str = ALL
    verified: str = "any"
    status: str = ALL
    sort: str = "newest"
    tags: list[str] = []
    notice: str = ""
    _key: CatalogKey = CatalogKey()

    def _apply(self, value: CatalogView) -> None:
        self.view = value

    async def _show(self, key: CatalogKey) -> None:
        self._key = key
        self.search, self.sort, self.verified = key.search, key.sort, key.verified
        self.modality = key.modality or ALL
        self.license = key.license or ALL
        self.status = key.status or ALL
        self.tags = list(key.tags)
        try:
            self._apply(await show_live(self, DATASET_CATALOG, key))
            self.notice = self.view.notice
        except ShowSuperseded:
            pass
        except LiveReadError:
            self.notice = UNREADABLE

    async def _change(self, control: str, value: Any) -> None:
        try:
            key = changed_key(self._key, control, _control_value(value))
        except CatalogInputError as refused:
            self.notice = str(refused)
            return
        await self._show(key)

    @rx.event
    async def load(self) -> Any:
        await self._show(self._key)
        send_whole(self)
        return DatasetCatalogState.follow

    @rx.event(background=True)
    async def follow(self) -> None:
        await follow_live(self, DATASET_CATALOG, lambda s: s._key, DatasetCatalogState._apply)

    @rx.event
    async def set_search(self, value: Any) -> None:
        await self._change("search", value)

    @rx.event
    async def set_modality(self, value: Any) -> None:
        await self._change("modality", value)

    @rx.event
    async def set_license(self, value: Any) -> None:
        await self._change("license", value)

    @rx.event
    async def set_verified(self, value: Any) -> None:
        await self._change("verified", value)

    @rx.event
    async def set_status(self, value: Any) -> None:
        await self._change("status", value)

    @rx.event
    async def set_sort(self, value: Any) -> None:
        await self._change("sort", value)

    @rx.event
    async def toggle_tag(self, value: Any) -> None:
        await self._change("tag", value)

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
        await self._show(CatalogKey(sort=self._key.sort))
