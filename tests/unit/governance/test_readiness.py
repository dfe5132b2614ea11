"""Vote readiness from facts: delegation, snapshot power, late tokens, already voted."""

from __future__ import annotations

from dataclasses import replace

from coop_dashboard.chain.governance_reads import VoterFacts
from coop_dashboard.chain.governance_types import ProposalState, TokenInfo
from coop_dashboard.evm import ZERO_ADDRESS
from coop_dashboard.services.governance.readiness import Delegation, assess_vote_readiness

VOTER = "0xabCDeF0123456789AbcdEf0123456789aBCDEF01"
OTHER = "0x1212121212121212121212121212121212121212"
COOP = 10**18
BASE = VoterFacts(
    voter=VOTER,
    proposal_id=1,
    state=ProposalState.ACTIVE,
    snapshot=1_000,
    clock=2_000,
    delegatee=VOTER,
    balance=900 * COOP,
    votes_now=900 * COOP,
    votes_at_snapshot=900 * COOP,
    received_after_snapshot=0,
    has_voted=False,
    token=TokenInfo("COOP", 18),
)


def test_self_delegated_with_power_can_vote() -> None:
    readiness = assess_vote_readiness(BASE)
    assert readiness.can_vote and readiness.voting_open
    assert readiness.delegation is Delegation.SELF and readiness.fix is None
    assert "Your voting power at this proposal's snapshot: 900 COOP." in readiness.messages


def test_undelegated_holder_gets_the_self_delegate_fix() -> None:
    facts = replace(BASE, delegatee=ZERO_ADDRESS, votes_now=0, votes_at_snapshot=0)
    readiness = assess_vote_readiness(facts)
    assert not readiness.can_vote
    assert readiness.delegation is Delegation.NONE
    assert readiness.fix is not None and readiness.fix.kind == "self_delegate"
    assert "not this one" in readiness.fix.explanation  # the snapshot has passed
    assert any("have not delegated" in m for m in readiness.messages)
    assert "A vote from you would count with a weight of 0." in readiness.messages


def test_before_the_snapshot_delegating_still_helps() -> None:
    facts = replace(
        BASE,
        state=ProposalState.PENDING,
        clock=900,
        delegatee=ZERO_ADDRESS,
        votes_now=0,
        votes_at_snapshot=None,
    )
    readiness = assess_vote_readiness(facts)
    assert readiness.fix is not None
    assert "before voting starts" in readiness.fix.explanation
    assert readiness.power_at_snapshot is None and not readiness.voting_open
    assert "Voting has not started yet." in readiness.messages


def test_delegated_to_someone_else() -> None:
    facts = replace(BASE, delegatee=OTHER, votes_now=0, votes_at_snapshot=0)
    readiness = assess_vote_readiness(facts)
    assert readiness.delegation is Delegation.OTHER and readiness.delegatee == OTHER
    assert readiness.fix is None and not readiness.can_vote
    assert any("You delegated your votes to 0x1212…1212" in m for m in readiness.messages)


def test_tokens_after_the_snapshot_cannot_be_used() -> None:
    facts = replace(
        BASE,
        balance=1_400 * COOP,
        votes_now=1_400 * COOP,
        votes_at_snapshot=900 * COOP,
        received_after_snapshot=500 * COOP,
    )
    readiness = assess_vote_readiness(facts)
    assert "500 COOP arrived after the snapshot and cannot be used here." in readiness.messages
    assert readiness.can_vote and readiness.power_at_snapshot == 900 * COOP


def test_delegations_received_after_the_snapshot_are_explained() -> None:
    facts = replace(BASE, votes_now=1_000 * COOP)
    readiness = assess_vote_readiness(facts)
    assert any("grew by 100 COOP since the snapshot" in m for m in readiness.messages)


def test_already_voted_and_closed() -> None:
    voted = assess_vote_readiness(replace(BASE, has_voted=True))
    assert not voted.can_vote and voted.messages[0] == "You have already voted on this proposal."
    closed = assess_vote_readiness(replace(BASE, state=ProposalState.DEFEATED))
    assert not closed.can_vote
    assert closed.messages[0] == "Voting is closed: the proposal is defeated."


def test_no_tokens_at_all() -> None:
    facts = replace(BASE, delegatee=ZERO_ADDRESS, balance=0, votes_now=0, votes_at_snapshot=0)
    readiness = assess_vote_readiness(facts)
    assert readiness.fix is None and "You hold no COOP." in readiness.messages
