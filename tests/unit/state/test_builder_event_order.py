"""Clicks read what was typed only after the edits sent before them reached the state.

Reflex runs a background event the moment it arrives, ahead of the tab's queued
plain events (reflex_base's event processor: "Background events run immediately,
bypassing per-token ordering"). A Check clicked right after typing an amount was
thus checked without it (CI: "Amount: enter an amount."), and a vote clicked right
after typing its reason could be cast without it. The clicks are plain events,
ordered behind the edits, that chain the background work.
"""

from __future__ import annotations

from typing import Any

import pytest

from coop_dashboard.state.account import AccountState
from coop_dashboard.state.dataset_page import DatasetPageState
from coop_dashboard.state.dataset_register import DatasetRegisterState
from coop_dashboard.state.licensing import LicensingState
from coop_dashboard.state.proposal_builder import ProposalBuilderState
from coop_dashboard.state.proposal_page import ProposalPageState

# (state, the edit handler, the click, its background work, the click's arguments)
CLICKS: list[tuple[Any, str, str, str, tuple[Any, ...]]] = [
    (ProposalBuilderState, "set_field", "check", "run_check", ()),
    (ProposalBuilderState, "set_field", "submit", "run_submit", ()),
    (ProposalBuilderState, "set_field", "add_editor_action", "run_add_editor_action", ()),
    (ProposalPageState, "set_reason", "vote", "run_vote", (1,)),
    (ProposalPageState, "set_reason", "vote_gasless", "run_vote_gasless", (2,)),
    (AccountState, "set_delegate_input", "delegate_to_address", "run_delegate_to_address", ()),
    (DatasetRegisterState, "set_bond_eth", "register", "run_register", ()),
    (DatasetPageState, "set_note", "attest", "run_attest", ()),
    (LicensingState, "set_tier_price", "set_tier", "run_set_tier", ()),
    (LicensingState, "set_holder_input", "buy", "run_buy", (0,)),
]


@pytest.mark.parametrize(
    ("state", "edit", "click", "work", "args"), CLICKS, ids=[c[2] for c in CLICKS]
)
def test_a_click_waits_its_turn_then_chains_the_background_work(
    state: Any, edit: str, click: str, work: str, args: tuple[Any, ...]
) -> None:
    handlers = state.event_handlers
    assert not handlers[edit].is_background  # edits are ordered...
    assert not handlers[click].is_background  # ...and so is the click behind them
    assert handlers[work].is_background  # the slow part still runs off the queue
    chained = handlers[click].fn(state(_reflex_internal_init=True), *args)
    # A handler (no arguments) or an event spec (the handler with its arguments).
    assert getattr(chained, "handler", chained).fn is handlers[work].fn
    sent = getattr(chained, "args", ())
    assert [str(value) for _name, value in sent] == [str(a) for a in args]
