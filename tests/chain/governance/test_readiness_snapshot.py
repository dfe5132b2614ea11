"""Tokens that arrive after a proposal's snapshot are seen and explained."""

from __future__ import annotations

from coop_dashboard.chain import devchain
from coop_dashboard.chain.deploy import TOKEN
from coop_dashboard.services.governance.readiness import check_vote_readiness
from tests.chain.governance.conftest import Coop


def test_tokens_received_after_the_snapshot_cannot_be_used(coop: Coop) -> None:
    governor = coop.gov.governor.functions
    recipient = coop.deployment.address("DelegateRegistry")  # any target: a harmless call
    data = coop.gov.contract("DelegateRegistry").encode_abi("clearStatement", args=[])
    description = "# Readiness\n\nsnapshot test\n"
    coop.alice.call(governor.propose([recipient], [0], [data], description), what="propose")
    proposal_id = governor.hashProposal(
        [recipient], [0], [bytes.fromhex(data[2:])], coop.w3.keccak(text=description)
    ).call()
    devchain.increase_time(coop.w3, governor.votingDelay().call() + 1)  # snapshot passes

    token = coop.gov.token.functions
    coop.deployer.call(token.transfer(coop.bob.address, 12_345 * TOKEN), what="late tokens")

    readiness = check_vote_readiness(coop.gov, coop.bob.address, proposal_id)
    assert readiness.voting_open and readiness.can_vote
    assert readiness.power_at_snapshot == 200_000 * TOKEN
    assert readiness.votes_now == 212_345 * TOKEN
    assert readiness.arrived_after_snapshot == 12_345 * TOKEN
    assert "12,345 COOP arrived after the snapshot and cannot be used here." in readiness.messages
    # The votes grew by exactly what arrived: no separate "delegations grew" message.
    assert not any("grew by" in m for m in readiness.messages)
