"""The registry of pages that exist: navigation is built from it, so it never links nowhere.

A page module registers itself with `@dashboard_page(...)`; adding a page is
writing its module and importing it in `coop_dashboard/pages/__init__.py`.
A page under another one (a proposal's page, the proposal builder) names that
page as its `parent`: it gets the same layout but no navigation entry of its
own, and the navigation shows the parent as the current section.
A page with `server_render=True` is rendered per request with its first data in
its HTML (api/server_render.py): its on_load must show a visitor's view through
state/live.py's show_live, do nothing else a visitor's render should not, and end
with state/server_render.py's `send_whole` for each state the page shows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import reflex as rx

from coop_dashboard.components.layout import NavItem, page_layout
from coop_dashboard.frontend.routes import address_pattern, reflex_parameter
from coop_dashboard.pages.shell import SHELL_ON_LOAD, header_actions, page_notices, tx_overlay

PageBody = Callable[[], rx.Component]


@dataclass(frozen=True)
class RegisteredPage:
    route: str
    title: str
    icon: str
    order: int
    body: PageBody
    description: str
    on_load: Any  # an event handler, a list of them, or None (whatever rx.App.add_page takes)
    parent: str | None = None  # the navigation entry this page belongs under
    server_render: bool = False  # HTML rendered per request with the on_load's view

    @property
    def in_nav(self) -> bool:
        return self.parent is None

    @property
    def active_route(self) -> str:
        return self.parent or self.route

    @property
    def nav_item(self) -> NavItem:
        return NavItem(route=self.route, title=self.title, icon=self.icon)


_pages: dict[str, RegisteredPage] = {}


def dashboard_page(
    *,
    route: str,
    title: str,
    icon: str = "",
    order: int = 0,
    description: str = "",
    on_load: Any = None,
    parent: str | None = None,
    server_render: bool = False,
) -> Callable[[PageBody], PageBody]:
    """Register the decorated function as the body of the page at `route`.

    `order` sorts the navigation; `icon` is a lucide icon name; a page with a
    `parent` (the route of a navigation entry) has no entry of its own.
    """

    def register(body: PageBody) -> PageBody:
        existing = _pages.get(route)
        # Re-importing the same module (hot reload) re-registers the same page.
        if existing is not None and existing.body.__qualname__ != body.__qualname__:
            raise ValueError(f"route {route!r} is registered twice")
        _pages[route] = RegisteredPage(
            route=route,
            title=title,
            icon=icon,
            order=order,
            body=body,
            description=description,
            on_load=on_load,
            parent=parent,
            server_render=server_render,
        )
        return body

    return register


def registered_pages() -> list[RegisteredPage]:
    """Every registered page, in navigation order."""
    return sorted(_pages.values(), key=lambda page: (page.order, page.title))


def nav_items() -> Sequence[NavItem]:
    return [page.nav_item for page in registered_pages() if page.in_nav]


@dataclass(frozen=True)
class ServerRenderedRoute:
    """A page rendered per request: the addresses it answers and its own on_load."""

    route: str
    pattern: re.Pattern[str]
    on_load: tuple[Any, ...]  # event handlers (without the shell's)

    @property
    def dynamic(self) -> bool:
        """Whether the route has a parameter (`/proposals/[proposal_id]`)."""
        return any(map(reflex_parameter, self.route.split("/")))


def route_pattern(route: str) -> re.Pattern[str]:
    """The addresses a Reflex route (`/proposals/[proposal_id]`) answers."""
    return address_pattern(route.split("/"), reflex_parameter)


def server_rendered_routes() -> list[ServerRenderedRoute]:
    """The pages registered with `server_render=True`."""
    routes: list[ServerRenderedRoute] = []
    for page in registered_pages():
        if not page.server_render:
            continue
        own = page.on_load if isinstance(page.on_load, list | tuple) else [page.on_load]
        handlers = tuple(handler for handler in own if handler is not None)
        routes.append(ServerRenderedRoute(page.route, route_pattern(page.route), handlers))
    return routes


def add_registered_pages(app: rx.App, *, app_title: str) -> None:
    """Add every registered page to `app`, each wrapped in the shared layout."""
    items = nav_items()
    for page in registered_pages():
        app.add_page(
            _render(page, items),
            route=page.route,
            title=f"{page.title} · {app_title}",
            description=page.description or None,
            on_load=_with_shell_on_load(page.on_load),
        )


def _with_shell_on_load(on_load: Any) -> list[Any]:
    """The shell's load events (session check, wallet restore) first, then the page's."""
    if on_load is None:
        return list(SHELL_ON_LOAD)
    own = list(on_load) if isinstance(on_load, list | tuple) else [on_load]
    return [*SHELL_ON_LOAD, *own]


def _render(page: RegisteredPage, items: Sequence[NavItem]) -> PageBody:
    def render() -> rx.Component:
        return page_layout(
            page.body(),
            nav=items,
            active_route=page.active_route,
            header_actions=header_actions(),
            notices=page_notices(),
            overlay=tx_overlay(),
        )

    # Reflex names the compiled page component after the function.
    render.__name__ = page.body.__name__
    return render
