"""ModelsState (/models) and ModelPageState (/models/[model_id]), live from the index.

/models is cut into pages in SQL (services/jobs/model_view.ModelsKey: dataset, page):
the controls build the next key on the server and the hub pushes that page.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from coop_dashboard.services.jobs.inputs import JobActionRefused, job_id_value
from coop_dashboard.services.jobs.live import MODEL_LIST, MODEL_PAGE
from coop_dashboard.services.jobs.model_view import ModelsKey, ModelsView, ModelView
from coop_dashboard.services.live_data import LiveReadError
from coop_dashboard.state.defaults import shared_default
from coop_dashboard.state.live import ShowSuperseded, follow_live, show_live, stop_live
from coop_dashboard.state.server_render import send_whole

UNREADABLE = "The job index cannot be read right now. Retrying shortly."


def _number(text: object) -> int | None:
    try:
        return job_id_value(text)  # the same rule as a job number: 1..10^18
    except JobActionRefused:
        return None


class ModelsState(rx.State):
    view: ModelsView = shared_default(ModelsView())
    dataset: str = ""
    notice: str = ""
    _key: ModelsKey = ModelsKey()

    def _apply(self, value: ModelsView) -> None:
        self.view = value

    async def _show(self, key: ModelsKey) -> None:
        self._key = key
        try:
            self._apply(await show_live(self, MODEL_LIST, key))
            self.notice = ""
        except ShowSuperseded:
            pass
        except LiveReadError:
            self.notice = UNREADABLE

    @rx.event
    async def load(self) -> Any:
        await self._show(self._key)
        send_whole(self)
        return ModelsState.follow

    @rx.event(background=True)
    async def follow(self) -> None:
        await follow_live(self, MODEL_LIST, lambda s: s._key, ModelsState._apply)

    @rx.event
    async def set_dataset(self, value: Any) -> None:
        text = value.strip().lstrip("#") if isinstance(value, str) else ""
        number = _number(text) if text else 0
        if number is None:
            self.notice = "Dataset: a dataset number such as 3."
            return
        self.dataset = text[:20]
        await self._show(ModelsKey(dataset_id=number))

    @rx.event
    async def next_page(self) -> None:
        # The page shown (view.page) may be below the key's when the list got shorter.
        if self.view.page < self.view.pages:
            await self._show(ModelsKey(self._key.dataset_id, self.view.page + 1))

    @rx.event
    async def previous_page(self) -> None:
        if self.view.page > 1:
            await self._show(ModelsKey(self._key.dataset_id, self.view.page - 1))


class ModelPageState(rx.State):
    view: ModelView = shared_default(ModelView())
    notice: str = ""

    def _id(self) -> int | None:
        return _number(self.router.url.path.rstrip("/").rsplit("/", 1)[-1])

    def _apply(self, value: ModelView) -> None:
        self.view = value
        self.notice = ""

    async def _show(self) -> bool:
        """Show the model at the page's address; False when the address names none."""
        model_id = self._id()
        if model_id is None:
            stop_live(self, MODEL_PAGE)
            self.view = ModelView(loaded=True, found=False)
            return False
        if self.view.row.model_id != model_id:
            self.view = ModelView()
        try:
            self._apply(await show_live(self, MODEL_PAGE, model_id))
        except ShowSuperseded:
            pass
        except LiveReadError:
            self.notice = UNREADABLE
        return True

    @rx.event
    async def load(self) -> Any:
        shown = await self._show()
        send_whole(self)
        return ModelPageState.follow if shown else None

    @rx.event(background=True)
    async def follow(self) -> None:
        await follow_live(self, MODEL_PAGE, ModelPageState._id, ModelPageState._apply)
