"""The app plus a trivial state, for benchmarks/load.py only: what Reflex itself costs per
click, measured beside the app's pages in the same run and the same server.

A server runs it with REFLEX_APP_MODULE_IMPORT=coop_dashboard.benchmark_app (Reflex's
`app_module_import` setting); a normal deployment never imports this module.
"""

from __future__ import annotations

import reflex as rx

from coop_dashboard.coop_dashboard import app

__all__ = ["BenchmarkState", "app"]


class BenchmarkState(rx.State):
    """One number set by one event: a round trip with no I/O."""

    clicks: int = 0

    @rx.event
    def click(self, value: int) -> None:
        self.clicks = value
