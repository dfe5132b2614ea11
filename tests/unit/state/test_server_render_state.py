"""state/server_render.py: what a page's HTML carries, and how a tab corrects it."""

from __future__ import annotations

import asyncio

from reflex.state import State

from coop_dashboard.state.proposal_page import ProposalPageState
from coop_dashboard.state.proposals import ProposalFeedState
from coop_dashboard.state.server_render import first_view, send_whole


def test_a_page_load_sends_its_states_whole() -> None:
    # A tab whose store started from a render where gasless voting was paused: its own
    # state says "not paused", the default, which no event would otherwise send.
    root = State(_reflex_internal_init=True)  # type: ignore[call-arg]
    page = root.substates[ProposalPageState.get_name()]
    root._clean()
    send_whole(page)
    sent = root.get_delta()[page.get_full_name()]
    assert sent["gasless_paused_rx_state_"] is False
    assert set(sent) >= {f"{name}_rx_state_" for name in ProposalPageState.base_vars}
    # Only the named states: the root's router data and the feed are not sent.
    assert set(root.get_delta()) == {page.get_full_name()}


def test_a_first_view_has_no_root_state() -> None:
    async def no_data(state: ProposalFeedState) -> None:
        state.total = 3

    class Handler:
        state = ProposalFeedState
        fn = staticmethod(no_data)

    view = asyncio.run(first_view([Handler()], "http://localhost/proposals"))  # type: ignore[list-item]
    assert set(view) == {ProposalFeedState.get_full_name()}
    assert view[ProposalFeedState.get_full_name()] == {"total_rx_state_": 3}
