"""The page registry: navigation lists exactly the registered pages, in order."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import reflex as rx

from coop_dashboard.pages import registry


@pytest.fixture
def isolated_registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(registry, "_pages", {})
    yield


def _body() -> rx.Component:
    return rx.text("body")


def test_pages_are_listed_by_order(isolated_registry: None) -> None:
    registry.dashboard_page(route="/treasury", title="Treasury", icon="landmark", order=40)(_body)

    def overview() -> rx.Component:
        return rx.text("overview")

    registry.dashboard_page(route="/", title="Overview", icon="layout_dashboard", order=0)(overview)
    assert [(item.title, item.route) for item in registry.nav_items()] == [
        ("Overview", "/"),
        ("Treasury", "/treasury"),
    ]


def test_a_route_cannot_be_taken_twice(isolated_registry: None) -> None:
    registry.dashboard_page(route="/jobs", title="Jobs", icon="briefcase", order=50)(_body)

    def other() -> rx.Component:
        return rx.text("other")

    with pytest.raises(ValueError, match="registered twice"):
        registry.dashboard_page(route="/jobs", title="Jobs", icon="briefcase", order=50)(other)


def test_every_registered_page_renders() -> None:
    import coop_dashboard.pages  # noqa: F401  (imports register the pages)

    pages = registry.registered_pages()
    assert pages, "no page registered"
    for page in pages:
        assert isinstance(page.body(), rx.Component), page.route


def test_every_page_loads_the_shell_first() -> None:
    """Session check and wallet restore run before a page's own on_load, on every route."""
    from coop_dashboard.pages.shell import SHELL_ON_LOAD

    def own() -> None: ...

    assert registry._with_shell_on_load(None) == SHELL_ON_LOAD
    assert registry._with_shell_on_load(own) == [*SHELL_ON_LOAD, own]
    assert registry._with_shell_on_load([own, own]) == [*SHELL_ON_LOAD, own, own]


def test_the_account_page_requires_a_session() -> None:
    import coop_dashboard.pages  # noqa: F401  (imports register the pages)

    account = next(page for page in registry.registered_pages() if page.route == "/account")
    rendered = str(account.body())
    assert "login-required" in rendered  # the sign-in prompt is part of the page


def test_a_page_with_a_parent_has_no_entry_and_lights_up_its_parent(
    isolated_registry: None,
) -> None:
    registry.dashboard_page(route="/proposals", title="Proposals", icon="vote", order=20)(_body)

    def detail() -> rx.Component:
        return rx.text("one proposal")

    registry.dashboard_page(route="/proposals/[id]", title="Proposal", parent="/proposals")(detail)
    assert [item.route for item in registry.nav_items()] == ["/proposals"]
    child = next(page for page in registry.registered_pages() if page.route == "/proposals/[id]")
    assert child.active_route == "/proposals" and not child.in_nav
