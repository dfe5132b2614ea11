"""A headline number with a label: the building block of the overview grid."""

from __future__ import annotations

import reflex as rx
from reflex.vars import Var


def stat_card(
    label: str,
    value: str | Var[str],
    *,
    value_id: str,
    exact: str | Var[str] | None = None,
    icon: str,
    caption: str | Var[str] | rx.Component | None = None,
) -> rx.Component:
    """`value` is what people read; `exact` (title + data-value of `value_id`) is the raw value."""
    exact_value = value if exact is None else exact
    if caption is None:
        caption_component: rx.Component = rx.fragment()
    elif isinstance(caption, rx.Component):
        caption_component = caption
    else:
        caption_component = rx.text(caption, size="1", color_scheme="gray")
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(label, size="2", weight="medium", color_scheme="gray"),
                rx.spacer(),
                rx.box(rx.icon(icon, size=18), color=rx.color("accent", 10)),
                width="100%",
                align="center",
            ),
            rx.heading(
                value,
                size="7",
                weight="bold",
                id=value_id,
                title=exact_value,
                custom_attrs={"data-value": exact_value},
                class_name="tabular-nums",
            ),
            caption_component,
            spacing="2",
            width="100%",
        ),
        size="2",
        width="100%",
    )
