"""A list filter's drop-down: a select whose trigger carries the id tests and labels use.

Shared by the list pages' filter rows (jobs board, dataset catalog): each passes
its state's value and handler and the items (`rx.select.item`, or an
`rx.foreach` of them). A select sends only an item's value, but the handler
still checks it: a browser may send anything.
"""

from __future__ import annotations

import reflex as rx


def filter_select(
    element_id: str, value: rx.Var[str] | str, on_change: object, *items: rx.Component
) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(id=element_id),
        rx.select.content(*items),
        value=value,
        on_change=on_change,
    )
