"""What the attest panel of a dataset page offers the signed-in account (blocking: SQL)."""

from __future__ import annotations

from dataclasses import dataclass

from coop_dashboard.config import Settings
from coop_dashboard.db.dataset_queries import has_attested, is_curator
from coop_dashboard.db.engine import get_engine


@dataclass(frozen=True)
class CuratorPanel:
    is_curator: bool = False
    has_attested: bool = False  # then the form offers an update, not a second attestation


def curator_panel(settings: Settings, account: str | None, dataset_id: int | None) -> CuratorPanel:
    if account is None or dataset_id is None:
        return CuratorPanel()
    engine = get_engine(settings.database_url)
    if not is_curator(engine, account):
        return CuratorPanel()
    return CuratorPanel(True, has_attested(engine, dataset_id, account))
