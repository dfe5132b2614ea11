"""A list page's filter controls: its search box, and drop-downs that are native
selects drawn as Radix's select trigger.

Shared by the list pages' filter rows (proposal feed, delegates, jobs board,
dataset catalog): each passes its state's value and handler and the options
(`filter_option`, or an `rx.foreach` of them). Radix's select is ~60 React
components apiece, most of them its closed menu, hydrated on every cold load of
the page (the feed's two were 300 of its 1,326 fibers); a native select is one
element and its options, with the browser's own menu and keyboard handling.
A select sends only an option's value, but the handler still checks it: a
browser may send anything.

A native select (unlike Radix's, which needs JavaScript to open) can be changed
in the prerendered page before React has hydrated it; that change reaches no
handler, and the list below would not match the control (seen in CI: "Delisted"
chosen, all four datasets listed). So the list pages' controls are disabled
until the state is hydrated (`UNTIL_HYDRATED`, applied here to the drop-downs
and the search box), which is also when the first page of data arrives.
"""

from __future__ import annotations

import reflex as rx

from coop_dashboard.components.radix_classes import SELECT_2_SURFACE

# Props for a list page's controls (filters and search): off until they can be heard.
UNTIL_HYDRATED: dict[str, object] = {"disabled": ~rx.State.is_hydrated}


def filter_select(
    element_id: str,
    value: rx.Var[str] | str,
    on_change: object,
    *options: rx.Component,
    label: str,
) -> rx.Component:
    """`label` names the filter for screen readers (the row shows no label text)."""
    return rx.el.select(
        *options,
        value=value,
        on_change=on_change,
        id=element_id,
        aria_label=label,
        class_name=SELECT_2_SURFACE,
        **UNTIL_HYDRATED,
    )


def filter_option(label: rx.Var[str] | str, value: rx.Var[str] | str) -> rx.Component:
    return rx.el.option(label, value=value)


def filter_search(
    element_id: str,
    value: rx.Var[str] | str,
    on_change: object,
    *,
    placeholder: str,
    width: str = "18em",
) -> rx.Component:
    """The row's search box: sent 300 ms after typing stops; full width on phones."""
    return rx.input(
        rx.input.slot(rx.icon("search", size=14)),
        placeholder=placeholder,
        default_value=value,
        debounce_timeout=300,
        on_change=on_change,
        id=element_id,
        width=rx.breakpoints(initial="100%", sm=width),
        **UNTIL_HYDRATED,
    )
