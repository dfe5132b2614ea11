"""Previous / "Page n of m" / Next under a server-paged list, with the list's total.

One pager for every paged list (proposals, delegates, datasets, jobs): the page
passes its state's vars and handlers; ids are `<prefix>-total`, `-previous`,
`-page` and `-next` for tests and links.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

# A state's field: a Var when the page is built, typed as its value (int, str) for mypy.
StateField = Any


def pager(
    *total: StateField,
    page: StateField,
    page_count: StateField,
    on_previous: Any,
    on_next: Any,
    id_prefix: str,
) -> rx.Component:
    """`total`: the text pieces of the count ("12", " proposals"); the buttons are
    disabled at either end (the handlers still clamp whatever the browser sends)."""
    return rx.hstack(
        rx.text(*total, size="2", color_scheme="gray", id=f"{id_prefix}-total"),
        rx.spacer(),
        rx.button(
            rx.icon("chevron_left", size=14),
            "Previous",
            variant="soft",
            disabled=page <= 1,
            on_click=on_previous,
            id=f"{id_prefix}-previous",
        ),
        rx.text("Page ", page, " of ", page_count, size="2", id=f"{id_prefix}-page"),
        rx.button(
            "Next",
            rx.icon("chevron_right", size=14),
            variant="soft",
            disabled=page >= page_count,
            on_click=on_next,
            id=f"{id_prefix}-next",
        ),
        align="center",
        width="100%",
    )
