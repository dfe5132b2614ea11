"""Queue / execute / cancel rules from the Governor's facts."""

from __future__ import annotations

from dataclasses import replace

from coop_dashboard.chain.governance_types import LifecycleFacts, ProposalState
from coop_dashboard.services.governance.eligibility import can_cancel, can_execute, can_queue

PROPOSER = "0xabCDeF0123456789AbcdEf0123456789aBCDEF01"
FACTS = LifecycleFacts(
    proposal_id=7,
    state=ProposalState.SUCCEEDED,
    proposer=PROPOSER,
    eta=0,
    needs_queuing=True,
    timelock_delay=2 * 86_400,
    clock=1_700_000_000,
)


def test_queue_only_a_succeeded_proposal() -> None:
    allowed = can_queue(FACTS)
    assert allowed.allowed and "2 days after it is queued" in allowed.reason
    refused = can_queue(replace(FACTS, state=ProposalState.ACTIVE))
    assert not refused.allowed and "this one is active" in refused.reason


def test_execute_waits_for_the_eta_on_the_chain_clock() -> None:
    assert "Queue the proposal first" in can_execute(FACTS).reason
    waiting = can_execute(replace(FACTS, state=ProposalState.QUEUED, eta=FACTS.clock + 3_600))
    assert not waiting.allowed and waiting.eta == FACTS.clock + 3_600
    assert "(in 1 hour)" in waiting.reason and "2023-11-14 23:13:20 UTC" in waiting.reason
    ready = can_execute(replace(FACTS, state=ProposalState.QUEUED, eta=FACTS.clock))
    assert ready.allowed and ready.eta == FACTS.clock
    done = can_execute(replace(FACTS, state=ProposalState.EXECUTED, eta=FACTS.clock))
    assert not done.allowed and "this one is executed" in done.reason


def test_cancel_only_by_the_proposer_while_pending() -> None:
    pending = replace(FACTS, state=ProposalState.PENDING)
    assert can_cancel(pending, PROPOSER.lower()).allowed
    assert not can_cancel(pending, "0x" + "12" * 20).allowed
    active = can_cancel(replace(FACTS, state=ProposalState.ACTIVE), PROPOSER)
    assert not active.allowed and "before voting starts" in active.reason
