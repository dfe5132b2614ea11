"""Live data for Reflex states: a tab shows a hub view and follows it without polling.

The pattern every page uses (services/live_data.py explains the hub)::

    FEED = LiveView("proposal_feed", read=read_feed)         # services/..._live.py

    class FeedState(rx.State):
        _key: FeedQuery | None = None

        def _apply(self, value): ...                          # set the vars shown

        @rx.event
        async def load(self):                                 # on_load (not background)
            self._key = FeedQuery(...)
            self._apply(await show_live(self, FEED, self._key))
            return FeedState.follow                           # one delta: data + controls

        @rx.event(background=True)
        async def follow(self):                               # chained by on_load
            await follow_live(self, FEED, lambda s: s._key, FeedState._apply)

- `show_live` (in a handler holding the tab's lock) returns the key's value at
  the current indexed head, read at most once per worker, and points the tab's
  follower at that key: controls that change the key call it too, so the data
  and the controls travel in the same delta.
- `follow_live` (a background event started by on_load) sleeps until the hub
  says the key's value changed, then applies it under the lock. A tab whose
  view did not change is never woken. Because on_load chains it, Reflex
  cancels it when the tab navigates away, reloads or disconnects (a newer
  page-load chain supersedes the old one), which ends the subscription.

Nothing polls per tab: one read per (view, key, indexed head) per worker.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import reflex as rx

from coop_dashboard.services.live_data import LiveReadError, LiveView, Subscription, live_hub

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")
S = TypeVar("S", bound=rx.State)

# A record left by show_live for a follower that never started is dropped after this.
_ORPHAN_TTL_S = 300.0


@dataclass(eq=False)
class _Tab:
    """One tab's follower of one view, in this worker."""

    view: LiveView[Any, Any]
    shown: int = 0  # the version the tab shows
    asked: int = 0  # show_live calls started (the latest one wins)
    key: Any = None
    wake: asyncio.Event | None = None
    subscription: Subscription | None = None
    created: float = field(default_factory=time.monotonic)

    def point_at(self, key: Any) -> None:
        self.key = key
        if self.wake is None:
            return  # no follower yet: it subscribes to `key` when it starts
        if key is None:
            if self.subscription is not None:
                self.subscription.close()
                self.subscription = None
        elif self.subscription is None:
            self.subscription = live_hub().subscribe(self.view, key, self.wake.set)
        else:
            self.subscription.move(key)


_tabs: dict[tuple[str, str, str], _Tab] = {}


def _ident(state: rx.State, view: LiveView[Any, Any]) -> tuple[str, str, str]:
    # The session var alone: `state.router` assembles all five router vars (~5x the
    # cost), and this runs on every control click of every live page.
    session = getattr(state, "rx_router_session", None) or state.router.session
    return (session.client_token, state.get_full_name(), view.name)


def _forget_orphans() -> None:
    now = time.monotonic()
    for ident, tab in list(_tabs.items()):
        if tab.wake is None and now - tab.created > _ORPHAN_TTL_S:
            del _tabs[ident]


# Set while a page's on_load runs for its server-rendered HTML (state/server_render.py):
# there is no tab to follow anything, only the values to show.
_rendering_for_server: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "rendering_for_server", default=False
)


@contextmanager
def rendering_for_server() -> Iterator[None]:
    """show_live and stop_live record nothing for a tab inside this block."""
    token = _rendering_for_server.set(True)
    try:
        yield
    finally:
        _rendering_for_server.reset(token)


class ShowSuperseded(Exception):
    """A newer show_live started for the same tab and view while this one read: show nothing."""


async def show_live(state: rx.State, view: LiveView[K, T], key: K) -> T:
    """The value of `key` now (shared read); the tab's follower follows `key` from here on.

    Call it with the tab's state lock held (a normal event handler, or inside
    `async with self` of a background one), then set the vars from the value.
    Raises ShowSuperseded when a newer call for the same tab and view began
    meanwhile (only possible if a tab's events ever ran concurrently): the newer
    one shows its own key, an older read must not overwrite it.
    """
    if _rendering_for_server.get():
        return (await live_hub().current(view, key))[0]
    ident = _ident(state, view)
    tab = _tabs.get(ident)
    if tab is None:
        _forget_orphans()
        tab = _tabs[ident] = _Tab(view)
    tab.asked += 1
    mine = tab.asked
    try:
        value, version = await live_hub().current(view, key)
    except LiveReadError:
        tab = _tabs.get(ident)
        if tab is not None and tab.asked == mine:
            # Followed all the same (follow_live starts from this record): the hub
            # retries a watched key's failed read and pushes it once it succeeds.
            tab.point_at(key)
        raise
    tab = _tabs.get(ident)
    if tab is None or tab.asked != mine:
        raise ShowSuperseded
    tab.shown = version
    tab.point_at(key)
    return value


def stop_live(state: rx.State, view: LiveView[Any, Any]) -> None:
    """The tab shows nothing of `view` any more (e.g. signed out): stop its follower's reads."""
    if _rendering_for_server.get():
        return
    tab = _tabs.get(_ident(state, view))
    if tab is not None:
        tab.point_at(None)


async def follow_live(
    state: S,
    view: LiveView[K, T],
    key_of: Callable[[S], K | None],
    apply: Callable[[S, T], None],
) -> None:
    """Push the view's changes into the tab until cancelled (call from a background event).

    `key_of(state)` is the key the tab's controls select now (None: nothing to
    show); a pushed value is applied only if it is still that key's, so a value
    read for older controls never overwrites newer ones.
    """
    # The tab's session is fixed for its socket and readable outside the lock, and the
    # page's load (show_live) recorded the key it showed: starting a follower then takes
    # no lock. Taking it cost each page view one more state load and save per follower
    # (with Redis, a lock round trip each: three per proposal page view).
    ident = _ident(state, view)
    previous = _tabs.get(ident)
    if previous is not None:
        key = previous.key
    else:
        async with state:
            key = key_of(state)
    tab = _Tab(view, wake=asyncio.Event())
    if previous is not None:
        tab.shown, tab.asked = previous.shown, previous.asked
    _tabs[ident] = tab
    tab.point_at(key)
    hub = live_hub()
    try:
        while True:
            await tab.wake.wait()  # type: ignore[union-attr]
            tab.wake.clear()  # type: ignore[union-attr]
            key = tab.key
            if key is None:
                continue
            cached = hub.cached(view, key)
            if cached is None or cached[1] == tab.shown:
                continue
            value, version = cached
            async with state:
                if key_of(state) != key:
                    continue  # the controls moved on; their handler shows the new key
                apply(state, value)
                tab.shown = version
    finally:
        if tab.subscription is not None:
            tab.subscription.close()
        if _tabs.get(ident) is tab:
            # A page move cancels this follower and chains the next page's: leave it
            # what the tab shows (no subscription; dropped as an orphan if none comes),
            # so it starts without the lock too, e.g. the header's figures on every page.
            _tabs[ident] = _Tab(view, shown=tab.shown, asked=tab.asked, key=tab.key)


def live_tab_count() -> int:
    """Tabs following a view in this worker (tests and benchmarks)."""
    return sum(1 for tab in _tabs.values() if tab.wake is not None)
