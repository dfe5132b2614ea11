"""The job pages as live views: re-read from SQL at every indexed head (one read per key
per worker, however many tabs show it)."""

from __future__ import annotations

from coop_dashboard.services.jobs.board_view import BoardKey, BoardView, read_board_view
from coop_dashboard.services.jobs.job_view import JobPageView, read_job_page
from coop_dashboard.services.jobs.model_view import (
    ModelsKey,
    ModelsView,
    ModelView,
    read_model_view,
    read_models_view,
)
from coop_dashboard.services.jobs.provider_view import ProviderView, read_provider_view
from coop_dashboard.services.live_data import LiveView


def _board(key: BoardKey) -> BoardView:
    return read_board_view(key)


def _page(job_id: int) -> JobPageView:
    return read_job_page(job_id)


def _provider(address: str) -> ProviderView:
    return read_provider_view(address)


def _models(key: ModelsKey) -> ModelsView:
    return read_models_view(key)


def _model(model_id: int) -> ModelView:
    return read_model_view(model_id)


JOB_BOARD = LiveView("job_board", read=_board)
JOB_PAGE = LiveView("job_page", read=_page)
PROVIDER_PAGE = LiveView("provider_page", read=_provider)
MODEL_LIST = LiveView("model_list", read=_models)
MODEL_PAGE = LiveView("model_page", read=_model)
