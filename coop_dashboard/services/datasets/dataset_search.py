"""Finding datasets by name or number for a picker (the register page's parents, the
proposal builder's delisting): one catalog query, each caller naming the statuses it
may offer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from coop_dashboard.config import Settings
from coop_dashboard.db.dataset_queries import CatalogQuery, dataset_catalog
from coop_dashboard.db.engine import get_engine

# Longer text cannot name a dataset better; the catalog's own limit is higher.
SEARCH_MAX_CHARS = 200


@dataclass(frozen=True)
class DatasetChoice:
    """A dataset a picker offers."""

    dataset_id: int = 0
    name: str = ""
    status: str = ""


def find_datasets(
    settings: Settings, text: str, statuses: Sequence[str], limit: int
) -> list[DatasetChoice]:
    """Up to `limit` datasets matching `text` (name or number) in `statuses`, newest first."""
    query = CatalogQuery(
        search=text.strip()[:SEARCH_MAX_CHARS], statuses=tuple(statuses), page_size=limit
    )
    page = dataset_catalog(get_engine(settings.database_url), query)
    return [
        DatasetChoice(row.dataset_id, row.name or f"Dataset #{row.dataset_id}", row.status)
        for row in page.rows
    ]
