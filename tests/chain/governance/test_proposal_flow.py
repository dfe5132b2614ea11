"""Builder -> preflight -> propose, vote, queue, execute, cancel on a real Governor.

The members send plain contract calls (the wallet write path is tested in the
browser); every "can I?" answer is checked against what the Governor then does.
"""

from __future__ import annotations

from coop_dashboard.chain import devchain
from coop_dashboard.chain.governance_reads import read_lifecycle_facts, read_proposal
from coop_dashboard.chain.governance_types import ProposalCall, ProposalState, VoteSupport
from coop_dashboard.chain.transact import Sender
from coop_dashboard.chain.tx import revert_decoder
from coop_dashboard.services.governance.builder import (
    GovernanceParameter,
    assemble_proposal,
    parameter_change,
    treasury_transfer,
)
from coop_dashboard.services.governance.context import (
    action_context,
    governance_suite,
    treasury_assets,
)
from coop_dashboard.services.governance.eligibility import can_cancel, can_execute, can_queue
from coop_dashboard.services.governance.preflight import preflight_proposal
from tests.chain.governance.conftest import USD, Coop
from tests.support.reverts import revert_of


def _draft(coop: Coop, amount: str = "1,234.5", proposer: Sender | None = None):  # type: ignore[no-untyped-def]
    assets = {a.symbol: a for a in treasury_assets(coop.gov)}
    assert assets["cUSD"].balance == 50_000 * USD and assets["ETH"].balance == 10 * 10**18
    transfer = treasury_transfer(
        assets["cUSD"], coop.bob.address.lower(), amount, treasury=coop.gov.treasury
    )
    period = parameter_change(
        GovernanceParameter.VOTING_PERIOD, "3 days", governance_suite(coop.gov)
    )
    return assemble_proposal(
        [transfer, period],
        "Pay Bob and speed up",
        "Two actions.",
        proposer=(proposer or coop.alice).address,
    )


def _propose(coop: Coop, proposer: Sender, call: ProposalCall) -> None:
    args = [list(call.targets), list(call.values), list(call.calldatas), call.description]
    proposer.call(coop.gov.governor.functions.propose(*args), what="propose")


def _lifecycle_args(call: ProposalCall) -> list[object]:
    # queue / execute / cancel name a proposal by its arrays and description hash.
    return [list(call.targets), list(call.values), list(call.calldatas), call.description_hash]


def test_full_lifecycle_with_checks_at_every_step(coop: Coop) -> None:
    draft = _draft(coop)
    context = action_context(coop.gov)
    token = governance_suite(coop.gov).vote_token
    report = preflight_proposal(coop.gov, coop.alice.address, draft, context, token)
    assert report.ok, report.problems
    assert report.enough_votes and report.proposer_votes == 600_000 * 10**18
    bob = f"{coop.bob.address[:6]}…{coop.bob.address[-4:]}"
    assert [c.action.summary for c in report.actions] == [
        f"Transfer 1,234.5 cUSD from the treasury to {bob}",
        "Set voting period from 5 days to 3 days",
    ]
    call = draft.to_call()
    _propose(coop, coop.alice, call)
    proposal_id = report.proposal_id
    assert read_proposal(coop.gov, proposal_id).state is ProposalState.PENDING  # id predicted

    facts = read_lifecycle_facts(coop.gov, proposal_id)
    assert can_cancel(facts, coop.alice.address).allowed
    assert not can_cancel(facts, coop.bob.address).allowed
    assert not can_queue(facts).allowed

    devchain.increase_time(coop.w3, coop.gov.governor.functions.votingDelay().call() + 1)
    governor = coop.gov.governor.functions
    coop.alice.call(
        governor.castVoteWithReason(proposal_id, VoteSupport.FOR, "Yes."), what="Alice votes"
    )
    coop.bob.call(governor.castVote(proposal_id, VoteSupport.AGAINST), what="Bob votes")
    proposal = read_proposal(coop.gov, proposal_id)
    assert (proposal.for_votes, proposal.against_votes) == (600_000 * 10**18, 200_000 * 10**18)
    assert not can_cancel(read_lifecycle_facts(coop.gov, proposal_id), coop.alice.address).allowed

    devchain.increase_time(coop.w3, proposal.deadline - devchain.latest_timestamp(coop.w3) + 1)
    facts = read_lifecycle_facts(coop.gov, proposal_id)
    assert facts.state is ProposalState.SUCCEEDED
    assert can_queue(facts).allowed and not can_execute(facts).allowed
    coop.newcomer.call(governor.queue(*_lifecycle_args(call)), what="queue")

    facts = read_lifecycle_facts(coop.gov, proposal_id)
    waiting = can_execute(facts)
    assert not waiting.allowed and waiting.eta == facts.eta > facts.clock
    devchain.increase_time(coop.w3, facts.eta - facts.clock)
    ready = can_execute(read_lifecycle_facts(coop.gov, proposal_id))
    assert ready.allowed, ready.reason

    stable = coop.gov.contract("MockStablecoin").functions
    before = stable.balanceOf(coop.bob.address).call()
    coop.newcomer.call(governor.execute(*_lifecycle_args(call)), what="execute")
    assert stable.balanceOf(coop.bob.address).call() - before == 1_234_500_000
    assert coop.gov.governor.functions.votingPeriod().call() == 3 * 86_400
    assert read_proposal(coop.gov, proposal_id).state is ProposalState.EXECUTED
    assert not can_execute(read_lifecycle_facts(coop.gov, proposal_id)).allowed


def test_preflight_refuses_a_proposer_below_threshold_and_failing_actions(coop: Coop) -> None:
    draft = _draft(coop)
    context = action_context(coop.gov)
    token = governance_suite(coop.gov).vote_token
    # The newcomer never delegated: 50,000 COOP but no votes.
    own_draft = _draft(coop, proposer=coop.newcomer)
    report = preflight_proposal(coop.gov, coop.newcomer.address, own_draft, context, token)
    assert not report.ok and report.proposer_votes == 0
    assert report.problems == (
        "You have 0 COOP of voting power; proposing needs 10,000 COOP. "
        "Delegations to you count once they are mined.",
    )

    # Spend the treasury's cUSD elsewhere first: the transfer no longer fits.
    stable = coop.deployment.address("MockStablecoin")
    drain = coop.gov.contract("MockStablecoin").encode_abi(
        "transfer", args=[coop.bob.address, 49_000 * USD]
    )
    tx = {"from": coop.gov.treasury, "to": stable, "data": drain}
    coop.w3.provider.make_request("anvil_impersonateAccount", [coop.gov.treasury])  # type: ignore[arg-type]
    try:
        coop.w3.eth.send_transaction(tx)  # type: ignore[arg-type]
    finally:
        coop.w3.provider.make_request("anvil_stopImpersonatingAccount", [coop.gov.treasury])  # type: ignore[arg-type]
    report = preflight_proposal(coop.gov, coop.alice.address, draft, context, token)
    assert not report.ok
    # Execution stops at the failing transfer: the setter after it is unknown, not "ok".
    assert [(c.ok, c.checked) for c in report.actions] == [(False, True), (False, False)]
    assert report.actions[0].problem is not None
    assert "holds 1,000,000,000 base units of the token" in report.actions[0].problem
    assert report.problems[0].startswith("Action 1 (Transfer 1,234.5 cUSD from the treasury")


def test_preflight_catches_a_duplicate_proposal_and_cancel_works(coop: Coop) -> None:
    draft = _draft(coop, "10")
    context = action_context(coop.gov)
    token = governance_suite(coop.gov).vote_token
    first = preflight_proposal(coop.gov, coop.alice.address, draft, context, token)
    assert first.ok
    _propose(coop, coop.alice, draft.to_call())
    again = preflight_proposal(coop.gov, coop.alice.address, draft, context, token)
    assert not again.ok
    assert "Creating the proposal would fail: the proposal is pending" in again.problems[0]

    governor = coop.gov.governor.functions
    coop.alice.call(governor.cancel(*_lifecycle_args(draft.to_call())), what="cancel")
    facts = read_lifecycle_facts(coop.gov, first.proposal_id)
    assert facts.state is ProposalState.CANCELED
    assert not can_cancel(facts, coop.alice.address).allowed


def test_a_pending_proposal_cannot_be_front_run_by_replaying_its_propose(coop: Coop) -> None:
    """The builder binds the description to its proposer (`#proposer=0x...`): Bob, above
    the threshold, replaying Alice's pending `propose` (to become its proposer and cancel
    it, or to take it over) is refused by the Governor itself."""
    draft = _draft(coop, "5")
    call = draft.to_call()
    args = [list(call.targets), list(call.values), list(call.calldatas), call.description]
    decoder = revert_decoder(coop.deployment)
    governor = coop.gov.governor.functions
    assert (
        coop.gov.governor.functions.getVotes(
            coop.bob.address, devchain.latest_timestamp(coop.w3) - 1
        ).call()
        >= governor.proposalThreshold().call()
    )
    # First in line (a front-runner seeing it in the mempool) and after it is mined.
    refused = revert_of(decoder, governor.propose(*args), coop.bob.address)
    assert refused is not None and refused.name == "GovernorRestrictedProposer"
    assert refused.args == (coop.bob.address,)
    _propose(coop, coop.alice, call)
    assert read_proposal(coop.gov, draft.proposal_id).proposer == coop.alice.address
    refused = revert_of(decoder, governor.propose(*args), coop.bob.address)
    assert refused is not None and refused.name == "GovernorRestrictedProposer"
    # Bob cannot cancel it either: only its proposer can.
    refused = revert_of(decoder, governor.cancel(*_lifecycle_args(call)), coop.bob.address)
    assert refused is not None and refused.name == "GovernorUnableToCancel"
