"""The state a page's server-rendered HTML shows: its on_load, run for a visitor.

api/server_render.py renders a page's HTML per request with its first data in it.
That data is what the page's own on_load would show a visitor who just opened it,
so it is computed by running those handlers, unchanged, on a tree of states that
belongs to no tab: a fresh root at the page's address, with no session (a
visitor), inside `rendering_for_server()`, where show_live returns the hub's
shared value without recording a follower. The events a handler returns (its
follower, a member's checks) are not run: the tab's own hydrate runs the page's
on_load again and follows from there.

The result is the page's states in the form the frontend's store holds (Reflex's
delta): whole, since the page's on_load ends with `send_whole` (below), and without
the root state (router data, is_hydrated: those stay the tab's own).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from reflex.istate.data import ReflexURL, URLData
from reflex.state import BaseState, State
from reflex_base.event import EventHandler
from reflex_base.utils import format

from coop_dashboard.state.live import rendering_for_server

Delta = dict[str, dict[str, Any]]


def send_whole(*states: BaseState) -> None:
    """Send every var of `states` with this event's delta (call at the end of the on_load
    of a page registered with `server_render=True`, for each state its HTML carries).

    The tab's store starts from the rendered state, which the tab's state on the server
    knows nothing of: the first hydrate diffs against the compiled defaults, and an
    event sends only the vars it assigned. A var the visitor's render set but the tab's
    on_load leaves at its default (a condition only a change assigns, such as whether
    gasless voting is paused) would otherwise stay as rendered. Sending the page's
    states whole once per page load corrects every such var, in place, in the same
    delta as the page's data.
    """
    for state in states:
        names = [name for name in state.base_vars if name not in State.base_vars]
        state.dirty_vars.update(names)
        state._mark_dirty(names)


class NotRenderable(ValueError):
    """The page's first view cannot go into its HTML (not JSON a browser parses)."""


async def first_view(on_load: Sequence[EventHandler], url: str) -> Delta:
    """The states the page at `url` shows a visitor once `on_load` has run there."""
    # How Reflex itself builds a tree of default states outside any tab (state.py).
    root = State(_reflex_internal_init=True)  # type: ignore[call-arg]
    root.rx_router_url = URLData.from_url(ReflexURL(url))
    root._clean()
    with rendering_for_server():
        for handler in on_load:
            if handler.state is None:
                raise NotRenderable(f"{handler.fn.__qualname__} belongs to no state")
            await handler.fn(await root.get_state(handler.state))
    delta = root.get_delta()
    delta.pop(root.get_full_name(), None)
    return delta


def view_json(delta: Delta) -> str:
    """The delta as the JSON the page carries, serialized as Reflex sends deltas.

    Refused (NotRenderable) if it holds a float JSON cannot write (NaN, infinity):
    Reflex's socket sends those in an extended form only its own parser reads.
    """
    text = format.json_dumps(delta)
    try:
        json.loads(text, parse_constant=_refuse_constant)
    except ValueError as exc:
        raise NotRenderable(str(exc)) from exc
    return text


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} has no JSON form")
