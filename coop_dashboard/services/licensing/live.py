"""Licensing as live views: re-read from SQL at every indexed head, once per key per worker
however many tabs show it (a sale, a renewal, a revocation or a withdrawal shows without
a reload)."""

from __future__ import annotations

from coop_dashboard.services.licensing.access_view import AccessView, read_access_view
from coop_dashboard.services.licensing.dataset_view import (
    LicensingAccountView,
    LicensingView,
    read_licensing_account,
    read_licensing_section,
)
from coop_dashboard.services.live_data import LiveView


def _section(dataset_id: int) -> LicensingView:
    return read_licensing_section(dataset_id)


def _account(key: tuple[int, str]) -> LicensingAccountView:
    return read_licensing_account(key)


def _access(account: str) -> AccessView:
    return read_access_view(account)


DATASET_LICENSING = LiveView("dataset_licensing", read=_section)
DATASET_LICENSING_ACCOUNT = LiveView("dataset_licensing_account", read=_account)
MY_ACCESS = LiveView("my_access", read=_access)
