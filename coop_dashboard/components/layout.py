"""The shell around every page: header with the brand and the navigation, then the content."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import reflex as rx

APP_NAME = "Coop Dashboard"
APP_TAGLINE = "AI-training cooperative"


@dataclass(frozen=True)
class NavItem:
    route: str
    title: str
    icon: str


def _brand() -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.center(
                rx.icon("sprout", size=18, color="white"),
                width="32px",
                height="32px",
                border_radius="var(--radius-3)",
                background=rx.color("accent", 9),
            ),
            rx.vstack(
                rx.text(APP_NAME, weight="bold", size="3", line_height="1.1"),
                rx.text(
                    APP_TAGLINE,
                    size="1",
                    color_scheme="gray",
                    line_height="1.1",
                    display=rx.breakpoints(initial="none", sm="block"),
                ),
                spacing="0",
                white_space="nowrap",
            ),
            spacing="2",
            align="center",
        ),
        href="/",
        underline="none",
        color="inherit",
    )


def _nav_link(item: NavItem, *, active: bool) -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.icon(item.icon, size=16),
            rx.text(item.title, size="2", weight="medium"),
            spacing="2",
            align="center",
        ),
        href=item.route,
        underline="none",
        white_space="nowrap",
        padding_x="0.75em",
        padding_y="0.4em",
        border_radius="var(--radius-2)",
        color=rx.color("accent", 11) if active else rx.color("gray", 11),
        background=rx.color("accent", 3) if active else "transparent",
        _hover={"background": rx.color("accent", 3), "color": rx.color("accent", 11)},
        custom_attrs={"aria-current": "page"} if active else {},
        id=f"nav-{item.route.strip('/') or 'overview'}",
    )


def _header(
    nav: Sequence[NavItem], active_route: str, actions: rx.Component | None
) -> rx.Component:
    return rx.el.header(
        rx.hstack(
            _brand(),
            rx.el.nav(
                rx.hstack(
                    *[_nav_link(item, active=item.route == active_route) for item in nav],
                    spacing="1",
                    align="center",
                ),
                aria_label="Main",
                id="main-nav",
                # Narrow screens scroll the links sideways instead of wrapping the header.
                overflow_x="auto",
                min_width="0",
            ),
            rx.spacer(),
            *([actions] if actions is not None else []),
            rx.color_mode.button(size="2", variant="ghost", id="color-mode-toggle"),
            spacing=rx.breakpoints(initial="3", sm="6"),
            align="center",
            max_width="1200px",
            margin_x="auto",
            padding_x="1.5em",
            height="60px",
        ),
        position="sticky",
        top="0",
        z_index="10",
        background=rx.color("gray", 1),
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        width="100%",
    )


def page_layout(
    content: rx.Component,
    *,
    nav: Sequence[NavItem],
    active_route: str,
    header_actions: rx.Component | None = None,
    notices: rx.Component | None = None,
    overlay: rx.Component | None = None,
) -> rx.Component:
    """`content` under the shared header; `nav` holds only pages that exist.

    `header_actions` sit at the header's right (wallet, session), `notices` above
    the content, `overlay` floats over the page (e.g. the transaction panel).
    """
    return rx.box(
        _header(nav, active_route, header_actions),
        rx.el.main(
            *([notices] if notices is not None else []),
            content,
            max_width="1200px",
            margin_x="auto",
            padding_x="1.5em",
            padding_y="2em",
        ),
        *([overlay] if overlay is not None else []),
        min_height="100vh",
        background=rx.color("gray", 2),
    )
