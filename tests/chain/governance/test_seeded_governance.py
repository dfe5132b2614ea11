"""The pure math, decoder and readiness against the demo cooperative's real Governor.

Read-only: the seeded chain is shared by the session (its clock must not move).
"""

from __future__ import annotations

import pytest

from coop_dashboard.chain.governance_chain import GovernanceChain
from coop_dashboard.chain.governance_reads import (
    read_proposal,
    read_proposal_call,
    read_proposal_flags,
    read_voter_facts,
)
from coop_dashboard.chain.governance_types import ProposalState
from coop_dashboard.chain.proposal_text import proposal_text
from coop_dashboard.chain.seed import MEMBERS
from coop_dashboard.db.proposal_state import ProposalFacts, proposal_state
from coop_dashboard.services.governance.actions import ActionKind, decode_actions
from coop_dashboard.services.governance.context import action_context
from coop_dashboard.services.governance.math import Tally, quorum_from_supply, quorum_progress
from coop_dashboard.services.governance.readiness import Delegation, check_vote_readiness
from tests.support.chains import SeededChain


@pytest.fixture(scope="module")
def gov(seeded_chain: SeededChain) -> GovernanceChain:
    return GovernanceChain(seeded_chain.w3, seeded_chain.deployment)


def test_state_and_quorum_math_equal_the_governor(
    gov: GovernanceChain, seeded_chain: SeededChain
) -> None:
    token = gov.token.functions
    governor = gov.governor.functions
    seen: set[ProposalState] = set()
    for expected, proposal_id in seeded_chain.report.proposals.items():
        on_chain = read_proposal(gov, proposal_id)
        assert on_chain.state.name.lower() == expected
        executed, canceled = read_proposal_flags(gov, proposal_id)
        quorum = 0
        if on_chain.quorum is not None:
            supply = token.getPastTotalSupply(on_chain.snapshot).call()
            numerator = governor.quorumNumerator(on_chain.snapshot).call()
            quorum = quorum_from_supply(supply, numerator, governor.quorumDenominator().call())
            assert quorum == on_chain.quorum
        tally = Tally(on_chain.for_votes, on_chain.against_votes, on_chain.abstain_votes)
        assert (tally.against_votes, tally.for_votes, tally.abstain_votes) == tuple(
            governor.proposalVotes(proposal_id).call()
        )
        # The one state rule the index and the pages use, fed what the chain says.
        facts = ProposalFacts(
            vote_start=on_chain.snapshot,
            deadline=on_chain.deadline,
            for_votes=tally.for_votes,
            against_votes=tally.against_votes,
            abstain_votes=tally.abstain_votes,
            quorum=quorum,
            queued=on_chain.eta != 0,
            executed=executed,
            canceled=canceled,
        )
        assert proposal_state(facts, on_chain.clock) == on_chain.state.name.lower(), expected
        seen.add(on_chain.state)
        if on_chain.quorum is not None:
            progress = quorum_progress(tally, on_chain.quorum)
            assert progress.reached == (on_chain.quorum <= tally.for_votes + tally.abstain_votes)
    assert len(seen) == 7  # every state the seed produces (expired is impossible with a timelock)


def test_seeded_actions_read_in_plain_language(
    gov: GovernanceChain, seeded_chain: SeededChain
) -> None:
    members = seeded_chain.report.members
    labels = {address: spec.name for address, spec in zip(members, MEMBERS, strict=True)}
    context = action_context(gov, labels=labels)
    expected = {
        "executed": "Transfer 120,000 cUSD from the treasury to Elif Yilmaz",
        "queued": "Set quorum from 4% to 5% of the token supply",
        "succeeded": "Send 25 ETH from the treasury to Hiro Tanaka",
        "defeated": "Set voting period from 5 days to 2 days",
        "canceled": "Mint 200,000 COOP to Elif Yilmaz",
        "active": "Transfer 18,500 cUSD from the treasury to Ines Duarte",
        "pending": "Set the timelock delay from 2 days to 3 days",
    }
    for key, proposal_id in seeded_chain.report.proposals.items():
        call = read_proposal_call(gov, proposal_id)
        (action,) = decode_actions(call.targets, call.values, call.calldatas, context)
        assert action.summary.startswith(expected[key]), (key, action.summary)
        assert action.kind is not ActionKind.UNKNOWN_CALL
        assert proposal_text(call.description).title  # every seeded title is found
    executed = read_proposal_call(gov, seeded_chain.report.proposals["executed"])
    assert proposal_text(executed.description).title == (
        "Fund pretraining run: coop-lm-1B on the community corpus"
    )


def _member(seeded_chain: SeededChain, name: str) -> str:
    index = next(i for i, spec in enumerate(MEMBERS) if spec.name == name)
    return seeded_chain.report.members[index]


def test_vote_readiness_of_seeded_members(gov: GovernanceChain, seeded_chain: SeededChain) -> None:
    active = seeded_chain.report.proposals["active"]
    getpast = gov.token.functions.getPastVotes
    snapshot = gov.governor.functions.proposalSnapshot(active).call()

    amara = check_vote_readiness(gov, _member(seeded_chain, "Amara Okafor"), active)
    assert amara.delegation is Delegation.SELF and amara.can_vote and amara.fix is None
    assert (
        amara.power_at_snapshot == getpast(_member(seeded_chain, "Amara Okafor"), snapshot).call()
    )
    # Amara holds 900,000 and Dana + Grace delegated 600,000 more to her.
    assert amara.power_at_snapshot == 1_500_000 * 10**18

    chen = check_vote_readiness(gov, _member(seeded_chain, "Chen Wei"), active)
    assert chen.has_voted and not chen.can_vote
    assert chen.messages[0] == "You have already voted on this proposal."

    dana = check_vote_readiness(gov, _member(seeded_chain, "Dana Reyes"), active)
    assert dana.delegation is Delegation.OTHER
    assert dana.delegatee == _member(seeded_chain, "Amara Okafor")
    assert dana.power_at_snapshot == 0 and not dana.can_vote and dana.fix is None

    kavya_address = _member(seeded_chain, "Kavya Iyer")
    kavya = check_vote_readiness(gov, kavya_address, active)
    assert kavya.delegation is Delegation.NONE and not kavya.can_vote
    assert kavya.fix is not None and kavya.fix.kind == "self_delegate"
    assert any("40,000 COOP but have not delegated" in m for m in kavya.messages)

    pending = seeded_chain.report.proposals["pending"]
    luca = read_voter_facts(gov, _member(seeded_chain, "Luca Romano"), pending)
    assert luca.state is ProposalState.PENDING and luca.votes_at_snapshot is None
    luca_ready = check_vote_readiness(gov, luca.voter, pending)
    assert luca_ready.fix is not None and "before voting starts" in luca_ready.fix.explanation
