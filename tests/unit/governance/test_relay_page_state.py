"""The proposal page's gasless busy flag: a reload or any server error never leaves the
gasless buttons spinning (the flag lives in the server's state, which survives a reload)."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import pytest
import reflex as rx

from coop_dashboard.state import proposal_page
from coop_dashboard.state.proposal_page import ProposalPageState


def _page() -> ProposalPageState:
    return ProposalPageState(_reflex_internal_init=True)  # type: ignore[call-arg]


async def _drain(events: Any) -> BaseException | None:
    try:
        async for _ in events:
            pass
    except BaseException as exc:  # what the event raised, for the test to look at
        return exc
    return None


def test_a_reload_while_the_wallet_shows_the_ballot_resets_the_flag() -> None:
    # The whole tab's state: load also fills the page's treasury impact section.
    root = rx.State(_reflex_internal_init=True)  # type: ignore[call-arg]
    page = asyncio.run(root.get_state(ProposalPageState))
    page.gasless_busy = True  # run_vote_gasless asked the wallet to sign...
    page._ballot = {"voter": "0x" + "aa" * 20, "proposal_id": 1}
    loaded = ProposalPageState.load.fn(page)  # ...and the member reloaded the page
    if inspect.isawaitable(loaded):
        asyncio.run(loaded)
    assert not page.gasless_busy and page._ballot == {}


def test_an_unexpected_error_before_the_wallet_resets_the_flag() -> None:
    page = _page()
    # Outside a real event the session lookup itself fails: an error no handler expects.
    raised = asyncio.run(_drain(ProposalPageState.run_vote_gasless.fn(page, 1)))
    assert raised is not None and not isinstance(raised, AssertionError)
    assert not page.gasless_busy
    assert page.vote_notice == "Something went wrong on the server; nothing was sent."


def test_an_unexpected_error_while_relaying_resets_the_flag(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken_relay(*_args: object) -> None:
        raise RuntimeError("driver exploded")

    monkeypatch.setattr(proposal_page, "relay_ballot", broken_relay)
    page = _page()
    page.gasless_busy = True
    page._ballot = {
        "voter": "0x" + "aa" * 20,
        "proposal_id": 1,
        "support": 1,
        "reason": "",
        "nonce": 0,
    }
    answer = {"ok": True, "signature": "0x" + "11" * 65}
    raised = asyncio.run(_drain(ProposalPageState.on_ballot_signed.fn(page, answer)))
    assert isinstance(raised, RuntimeError)
    assert not page.gasless_busy and page._ballot == {}
    assert "nothing was sent" in page.vote_notice


@pytest.mark.parametrize("support", [[1], {"x": 1}, "1", True, None])
def test_a_hostile_choice_is_refused_without_an_error(support: object) -> None:
    page = _page()
    raised = asyncio.run(_drain(ProposalPageState.run_vote_gasless.fn(page, support)))
    assert raised is None and not page.gasless_busy
    assert page.vote_notice == "Choose For, Against or Abstain."
