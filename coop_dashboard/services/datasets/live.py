"""The dataset pages as live views: re-read from SQL at every indexed head (one read per
key per worker, however many tabs show it)."""

from __future__ import annotations

from coop_dashboard.services.datasets.catalog_view import CatalogKey, CatalogView, read_catalog_view
from coop_dashboard.services.datasets.page_view import DatasetPageView, read_dataset_page
from coop_dashboard.services.live_data import LiveView


def _catalog(key: CatalogKey) -> CatalogView:
    return read_catalog_view(key)


def _page(dataset_id: int) -> DatasetPageView:
    return read_dataset_page(dataset_id)


DATASET_CATALOG = LiveView("dataset_catalog", read=_catalog)
DATASET_PAGE = LiveView("dataset_page", read=_page)
