"""ModelsState (/models) and ModelPageState (/models/[model_id]), live from the index."""

from __future__ import annotations

from typing import Any

import reflex as rx

from coop_dashboard.services.jobs.inputs import JobActionRefused, job_id_value
from coop_dashboard.services.jobs.live import MODEL_LIST, MODEL_PAGE
from coop_dashboard.services.jobs.model_view import ModelsView, ModelView
from coop_dashboard.services.live_data import LiveReadError
from coop_dashboard.state.live import ShowSuperseded, follow_live, show_live, stop_live

UNREADABLE = "The job index cannot be read right now. Retrying shortly."


def _number(text: object) -> int | None:
    try:
        return job_id_value(text)  # the same rule as a job number: 1..10^18
    except JobActionRefused:
        return None


class ModelsState(rx.State):
    view: ModelsView = ModelsView()
    dataset: str = ""
    notice: str = ""
    _dataset_id: int = 0

    def _apply(self, value: ModelsView) -> None:
        self.view = value

    async def _show(self) -> None:
        try:
            self._apply(await show_live(self, MODEL_LIST, self._dataset_id))
            self.notice = ""
        except ShowSuperseded:
            pass
        except LiveReadError:
            self.notice = UNREADABLE

    @rx.event
    async def load(self) -> Any:
        await self._show()
        return ModelsState.follow

    @rx.event(background=True)
    async def follow(self) -> None:
        await follow_live(self, MODEL_LIST, lambda s: s._dataset_id, ModelsState._apply)

    @rx.event
    async def set_dataset(self, value: Any) -> None:
        text = value.strip().lstrip("#") if isinstance(value, str) else ""
        number = _number(text) if text else 0
        if number is None:
            self.notice = "Dataset: a dataset number such as 3."
            return
        self.dataset, self._dataset_id = text[:20], number
        await self._show()


class ModelPageState(rx.State):
    view: ModelView = ModelView()
    notice: str = ""

    def _id(self) -> int | None:
        return _number(self.router.url.path.rstrip("/").rsplit("/", 1)[-1])

    def _apply(self, value: ModelView) -> None:
        self.view = value
        self.notice = ""

    @rx.event
    async def load(self) -> Any:
        model_id = self._id()
        if model_id is None:
            stop_live(self, MODEL_PAGE)
            self.view = ModelView(loaded=True, found=False)
            return None
        if self.view.row.model_id != model_id:
            self.view = ModelView()
        try:
            self._apply(await show_live(self, MODEL_PAGE, model_id))
        except ShowSuperseded:
            pass
        except LiveReadError:
            self.notice = UNREADABLE
        return ModelPageState.follow

    @rx.event(background=True)
    async def follow(self) -> None:
        await follow_live(self, MODEL_PAGE, ModelPageState._id, ModelPageState._apply)
