"""Running a proposal through the real Governor and timelock (time moved on anvil)."""

from __future__ import annotations

from eth_utils import keccak
from web3 import Web3

from coop_dashboard.chain import devchain
from coop_dashboard.chain.contracts import Deployment
from coop_dashboard.chain.deploy import TOKEN
from coop_dashboard.chain.transact import Sender

EXECUTED = 7


def pass_proposal(
    w3: Web3,
    deployment: Deployment,
    voter: Sender,
    targets: list[str],
    values: list[int],
    calldatas: list[bytes],
    description: str,
) -> int:
    """Give `voter` enough votes, then propose, vote, queue and execute. Returns the id."""
    token = deployment.contract(w3, "CoopToken").functions
    governor = deployment.contract(w3, "CoopGovernor").functions
    deployer = Sender.unlocked(w3, deployment.deployer)
    if token.getVotes(voter.address).call() < 500_000 * TOKEN:
        deployer.call(token.transfer(voter.address, 500_000 * TOKEN), what="fund voter")
        voter.call(token.delegate(voter.address), what="self-delegate")
        devchain.increase_time(w3, 1)
    voter.call(governor.propose(targets, values, calldatas, description), what="propose")
    description_hash = keccak(text=description)
    proposal_id: int = governor.hashProposal(targets, values, calldatas, description_hash).call()
    devchain.increase_time(w3, governor.votingDelay().call() + 1)
    voter.call(governor.castVote(proposal_id, 1), what="vote")
    devchain.increase_time(
        w3, governor.proposalDeadline(proposal_id).call() - devchain.latest_timestamp(w3) + 1
    )
    voter.call(governor.queue(targets, values, calldatas, description_hash), what="queue")
    eta = governor.proposalEta(proposal_id).call()
    devchain.increase_time(w3, eta - devchain.latest_timestamp(w3) + 1)
    voter.call(governor.execute(targets, values, calldatas, description_hash), what="execute")
    assert governor.state(proposal_id).call() == EXECUTED
    return proposal_id
