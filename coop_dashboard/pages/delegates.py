"""The delegate directory ("/delegates"): everyone with voting power or a statement."""

from __future__ import annotations

from typing import Any

import reflex as rx

from coop_dashboard.components.delegate_card import delegate_card
from coop_dashboard.components.filter_select import (
    filter_option,
    filter_search,
    filter_select,
)
from coop_dashboard.components.pager import pager
from coop_dashboard.pages.registry import dashboard_page
from coop_dashboard.services.delegates.directory import SORT_LABELS
from coop_dashboard.state.delegates import DelegateDirectoryState as S

DESCRIPTION = (
    "Who votes for the cooperative's token holders: what they stand for, how they voted, "
    "and who trusts them."
)


def _switch(label: str, checked: Any, on_change: Any, id_: str) -> rx.Component:
    return rx.hstack(
        rx.switch(checked=checked, on_change=on_change, id=id_),
        rx.text(label, size="2"),
        align="center",
        spacing="2",
    )


def _filters() -> rx.Component:
    return rx.flex(
        filter_search(
            "delegates-search",
            S.search,
            S.set_search,
            placeholder="Search by name, address or topic",
        ),
        filter_select(
            "delegates-topic",
            rx.cond(S.topic == "", "all", S.topic),
            S.set_topic,
            filter_option("All topics", "all"),
            rx.foreach(S.topics, lambda t: filter_option(t, t)),
            label="Topic",
        ),
        filter_select(
            "delegates-sort",
            S.sort,
            S.set_sort,
            *[filter_option(label, key) for key, label in SORT_LABELS.items()],
            label="Sort delegates",
        ),
        _switch("Seeking delegation", S.seeking_only, S.set_seeking_only, "delegates-seeking"),
        _switch("Has a statement", S.with_statement, S.set_with_statement, "delegates-statement"),
        _switch("My delegate", S.only_mine, S.set_only_mine, "delegates-mine"),
        gap="3",
        wrap="wrap",
        align="center",
        width="100%",
    )


@dashboard_page(
    route="/delegates",
    title="Delegates",
    icon="users",
    order=15,
    description=DESCRIPTION,
    on_load=S.load,
)
def delegates() -> rx.Component:
    return rx.vstack(
        rx.vstack(
            rx.heading("Delegates", size="7"),
            rx.text(DESCRIPTION, size="2", color_scheme="gray"),
            spacing="1",
        ),
        _filters(),
        rx.cond(
            S.notice != "",
            rx.callout(
                S.notice, icon="triangle_alert", color_scheme="amber", id="delegates-notice"
            ),
        ),
        rx.cond(
            S.rows.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(
                rx.foreach(S.rows, delegate_card), spacing="3", width="100%", id="delegates-list"
            ),
            rx.cond(
                S.loaded,
                rx.callout("No delegate matches.", icon="info", id="delegates-empty"),
                rx.center(rx.spinner(size="3"), padding_y="3em", width="100%"),
            ),
        ),
        pager(
            S.total,
            " delegates",
            page=S.page,
            page_count=S.page_count,
            on_previous=S.previous_page,
            on_next=S.next_page,
            id_prefix="delegates",
        ),
        spacing="4",
        width="100%",
    )
