"""A prominent, non-technical explanation of why live data is missing or stale."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import Var


def error_banner(
    title: str | Var[str],
    message: str | Var[str],
    *,
    hint: rx.Component | None = None,
    **props: Any,
) -> rx.Component:
    """A red callout with a title, the message and an optional hint line below it."""
    return rx.callout.root(
        rx.callout.icon(rx.icon("triangle_alert")),
        rx.vstack(
            rx.text(title, weight="bold", size="2"),
            rx.text(message, size="2", class_name="error-message"),
            *([hint] if hint is not None else []),
            spacing="1",
        ),
        color_scheme="red",
        variant="surface",
        role="alert",
        width="100%",
        **props,
    )
