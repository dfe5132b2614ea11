"""A titled card: the frame of every page section."""

from __future__ import annotations

from typing import Any

import reflex as rx


def section_card(
    title: str,
    icon: str,
    *children: rx.Component,
    action: rx.Component | None = None,
    description: str | None = None,
    **props: Any,
) -> rx.Component:
    """A card with an icon + title row (and `action` at its right), then `children`."""
    heading = rx.hstack(
        rx.icon(icon, size=18, color=rx.color("accent", 10)),
        rx.heading(title, size="4"),
        rx.spacer(),
        *([action] if action is not None else []),
        align="center",
        spacing="2",
        width="100%",
    )
    intro = [rx.text(description, size="1", color_scheme="gray")] if description else []
    return rx.card(
        rx.vstack(heading, *intro, *children, spacing="3", width="100%"),
        width="100%",
        **props,
    )
