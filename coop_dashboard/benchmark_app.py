"""The app plus a trivial state and page, for the benchmarks only: what Reflex itself
costs, measured beside the app's pages in the same run and the same server.

- benchmarks/load.py and head_to_tab.py: a click on the trivial state (`click`);
- benchmarks/page_speed.py: a cold load of the trivial page (`TRIVIAL_ROUTE`), one
  number set by its on_load: the floor any page of this app starts from (Reflex's
  client, React, the theme and the app's global styles), with none of the app's
  components.

A server runs it with REFLEX_APP_MODULE_IMPORT=coop_dashboard.benchmark_app (Reflex's
`app_module_import` setting); a normal deployment never imports this module.
"""

from __future__ import annotations

import reflex as rx

from coop_dashboard.coop_dashboard import app

__all__ = ["TRIVIAL_ROUTE", "BenchmarkState", "app"]

TRIVIAL_ROUTE = "/benchmark/trivial"


class BenchmarkState(rx.State):
    """A number set by a click and a flag set by the trivial page's on_load: no I/O."""

    clicks: int = 0
    opened: bool = False

    @rx.event
    def click(self, value: int) -> None:
        self.clicks = value

    @rx.event
    def open_page(self) -> None:
        self.opened = True


def trivial_page() -> rx.Component:
    return rx.el.p(
        "Opened: ",
        rx.cond(BenchmarkState.opened, "yes", "no"),
        id="benchmark-trivial",
        data_opened=rx.cond(BenchmarkState.opened, "true", "false"),
    )


app.add_page(trivial_page, route=TRIVIAL_ROUTE, on_load=BenchmarkState.open_page)
