"""The full governance lifecycle on a real anvil: delegate, propose a treasury
transfer, vote (for / against / abstain, with reason, by signature), queue,
execute; voting-power snapshots, quorum and the proposal threshold."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from web3 import Web3
from web3.contract import Contract

from coop_dashboard.chain import devchain
from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.contracts import Deployment
from coop_dashboard.chain.deploy import TOKEN
from coop_dashboard.chain.transact import Sender
from tests.support.chains import Chain
from tests.support.reverts import decoder_for, revert_of

PENDING, ACTIVE, CANCELED, DEFEATED, SUCCEEDED, QUEUED, EXPIRED, EXECUTED = range(8)
AGAINST, FOR, ABSTAIN = 0, 1, 2


@dataclass
class Suite:
    w3: Web3
    deployment: Deployment
    token: Contract
    governor: Contract
    timelock: Contract
    deployer: Sender
    alice: Sender  # self-delegated, big holder
    bob: Sender  # self-delegated
    carol: LocalAccount  # a key we hold: delegates and votes by signature
    relayer: Sender  # submits carol's signatures and pays the gas
    recipient: str


def _sign_typed(account: LocalAccount, domain: dict, types: dict, message: dict) -> bytes:
    signed = account.sign_typed_data(domain, types, message)
    return bytes(signed.signature)


@pytest.fixture
def suite(chain: Chain, deployment: Deployment) -> Suite:
    w3 = chain.w3
    accounts = w3.eth.accounts
    deployer = Sender.unlocked(w3, deployment.deployer)
    token = deployment.contract(w3, "CoopToken")
    suite = Suite(
        w3=w3,
        deployment=deployment,
        token=token,
        governor=deployment.contract(w3, "CoopGovernor"),
        timelock=deployment.contract(w3, "CoopTimelock"),
        deployer=deployer,
        alice=Sender.unlocked(w3, accounts[13]),
        bob=Sender.unlocked(w3, accounts[14]),
        carol=Account.create(),
        relayer=Sender.unlocked(w3, accounts[15]),
        recipient=Account.create().address,
    )
    for holder, amount in ((suite.alice, 300_000), (suite.bob, 200_000)):
        deployer.call(token.functions.transfer(holder.address, amount * TOKEN), what="pay")
    deployer.call(token.functions.transfer(suite.carol.address, 150_000 * TOKEN), what="pay")
    deployer.transfer_eth(suite.timelock.address, 10 * 10**18, what="fund treasury")
    return suite


def _delegate_by_sig(suite: Suite, delegatee: str) -> None:
    token = suite.token
    nonce = token.functions.nonces(suite.carol.address).call()
    expiry = devchain.latest_timestamp(suite.w3) + 3600
    domain = {
        "name": token.functions.name().call(),
        "version": "1",
        "chainId": suite.w3.eth.chain_id,
        "verifyingContract": token.address,
    }
    types = {
        "Delegation": [
            {"name": "delegatee", "type": "address"},
            {"name": "nonce", "type": "uint256"},
            {"name": "expiry", "type": "uint256"},
        ]
    }
    message = {"delegatee": delegatee, "nonce": nonce, "expiry": expiry}
    signed = suite.carol.sign_typed_data(domain, types, message)
    suite.relayer.call(
        token.functions.delegateBySig(
            delegatee, nonce, expiry, signed.v, signed.r.to_bytes(32), signed.s.to_bytes(32)
        ),
        what="delegateBySig",
    )


def _ballot_signature(suite: Suite, proposal_id: int, support: int) -> bytes:
    governor = suite.governor
    domain = {
        "name": governor.functions.name().call(),
        "version": governor.functions.version().call(),
        "chainId": suite.w3.eth.chain_id,
        "verifyingContract": governor.address,
    }
    types = {
        "Ballot": [
            {"name": "proposalId", "type": "uint256"},
            {"name": "support", "type": "uint8"},
            {"name": "voter", "type": "address"},
            {"name": "nonce", "type": "uint256"},
        ]
    }
    message = {
        "proposalId": proposal_id,
        "support": support,
        "voter": suite.carol.address,
        "nonce": governor.functions.nonces(suite.carol.address).call(),
    }
    return _sign_typed(suite.carol, domain, types, message)


def _treasury_transfer(suite: Suite, amount_wei: int, title: str):
    description = f"# {title}\n\nPay the recipient from the treasury."
    return [suite.recipient], [amount_wei], [b""], description


def _propose_transfer(suite: Suite, proposer: Sender, amount_wei: int, title: str) -> int:
    targets, values, calldatas, description = _treasury_transfer(suite, amount_wei, title)
    governor = suite.governor.functions
    proposer.call(governor.propose(targets, values, calldatas, description), what="propose")
    return int(governor.hashProposal(targets, values, calldatas, keccak(text=description)).call())


def test_full_lifecycle_pays_the_recipient(
    suite: Suite, compiled_artifacts: dict[str, Artifact]
) -> None:
    w3, token, governor = suite.w3, suite.token, suite.governor
    decoder = decoder_for(compiled_artifacts)

    # Undelegated tokens carry no votes.
    assert token.functions.getVotes(suite.alice.address).call() == 0
    suite.alice.call(token.functions.delegate(suite.alice.address), what="self-delegate")
    suite.bob.call(token.functions.delegate(suite.bob.address), what="self-delegate")
    _delegate_by_sig(suite, suite.carol.address)
    assert token.functions.delegates(suite.carol.address).call() == suite.carol.address
    assert token.functions.getVotes(suite.alice.address).call() == 300_000 * TOKEN
    assert token.functions.getVotes(suite.carol.address).call() == 150_000 * TOKEN
    devchain.increase_time(w3, 1)

    # The proposal threshold (10,000 COOP) keeps small holders from proposing.
    small = Sender.unlocked(w3, w3.eth.accounts[16])
    suite.deployer.call(token.functions.transfer(small.address, 9_999 * TOKEN), what="pay")
    small.call(token.functions.delegate(small.address), what="delegate")
    devchain.increase_time(w3, 1)
    targets, values, calldatas, description = _treasury_transfer(suite, 3 * 10**18, "Pay")
    refused = revert_of(
        decoder, governor.functions.propose(targets, values, calldatas, description), small.address
    )
    assert refused is not None and refused.name == "GovernorInsufficientProposerVotes"

    suite.alice.call(
        governor.functions.propose(targets, values, calldatas, description), what="propose"
    )
    description_hash = keccak(text=description)
    proposal_id = governor.functions.hashProposal(
        targets, values, calldatas, description_hash
    ).call()
    assert governor.functions.state(proposal_id).call() == PENDING
    snapshot = governor.functions.proposalSnapshot(proposal_id).call()
    assert snapshot == devchain.latest_timestamp(w3) + 86_400

    devchain.increase_time(w3, 86_400 + 1)
    assert governor.functions.state(proposal_id).call() == ACTIVE
    # Tokens received after the proposal's snapshot do not count for it.
    suite.deployer.call(token.functions.transfer(suite.bob.address, 50_000 * TOKEN), what="pay")
    assert token.functions.getPastVotes(suite.bob.address, snapshot).call() == 200_000 * TOKEN
    assert token.functions.getVotes(suite.bob.address).call() == 250_000 * TOKEN

    suite.alice.call(governor.functions.castVote(proposal_id, FOR), what="vote for")
    suite.bob.call(
        governor.functions.castVoteWithReason(proposal_id, AGAINST, "Too early"), what="against"
    )
    signature = _ballot_signature(suite, proposal_id, ABSTAIN)
    relayer_balance = w3.eth.get_balance(suite.relayer.address)
    suite.relayer.call(
        governor.functions.castVoteBySig(proposal_id, ABSTAIN, suite.carol.address, signature),
        what="vote by signature",
    )
    assert w3.eth.get_balance(suite.relayer.address) < relayer_balance  # the relayer paid gas
    assert w3.eth.get_balance(suite.carol.address) == 0  # carol never needed ETH
    assert governor.functions.hasVoted(proposal_id, suite.carol.address).call()

    again = revert_of(decoder, governor.functions.castVote(proposal_id, FOR), suite.alice.address)
    assert again is not None and again.name == "GovernorAlreadyCastVote"

    against, for_votes, abstain = governor.functions.proposalVotes(proposal_id).call()
    assert (against, for_votes, abstain) == (200_000 * TOKEN, 300_000 * TOKEN, 150_000 * TOKEN)
    assert governor.functions.quorum(snapshot).call() == 10_000_000 * TOKEN * 4 // 100

    devchain.increase_time(w3, 5 * 86_400 + 1)
    assert governor.functions.state(proposal_id).call() == SUCCEEDED
    suite.bob.call(
        governor.functions.queue(targets, values, calldatas, description_hash), what="queue"
    )
    assert governor.functions.state(proposal_id).call() == QUEUED
    eta = governor.functions.proposalEta(proposal_id).call()
    assert eta == devchain.latest_timestamp(w3) + 2 * 86_400

    early = revert_of(
        decoder,
        governor.functions.execute(targets, values, calldatas, description_hash),
        suite.bob.address,
    )
    assert early is not None and early.name == "TimelockUnexpectedOperationState"

    devchain.increase_time(w3, 2 * 86_400 + 1)
    treasury_before = w3.eth.get_balance(suite.timelock.address)
    suite.bob.call(
        governor.functions.execute(targets, values, calldatas, description_hash), what="execute"
    )
    assert governor.functions.state(proposal_id).call() == EXECUTED
    assert w3.eth.get_balance(suite.recipient) == 3 * 10**18
    assert w3.eth.get_balance(suite.timelock.address) == treasury_before - 3 * 10**18


def test_proposal_without_quorum_is_defeated(suite: Suite) -> None:
    w3, token, governor = suite.w3, suite.token, suite.governor
    suite.alice.call(token.functions.delegate(suite.alice.address), what="delegate")
    suite.bob.call(token.functions.delegate(suite.bob.address), what="delegate")
    devchain.increase_time(w3, 1)
    # Quorum is 4% of 10M = 400,000 COOP; bob's 200,000 "for" is not enough even
    # though nobody votes against.
    proposal_id = _propose_transfer(suite, suite.bob, 10**18, "Small")
    devchain.increase_time(w3, 86_400 + 1)
    suite.bob.call(governor.functions.castVote(proposal_id, FOR), what="vote")
    devchain.increase_time(w3, 5 * 86_400 + 1)
    assert governor.functions.state(proposal_id).call() == DEFEATED
    snapshot = governor.functions.proposalSnapshot(proposal_id).call()
    assert governor.functions.quorum(snapshot).call() == 400_000 * TOKEN


def test_late_quorum_extends_the_deadline(suite: Suite) -> None:
    w3, token, governor = suite.w3, suite.token, suite.governor
    # Bob's delegation lifts alice above the 400,000 COOP quorum on her own.
    suite.alice.call(token.functions.delegate(suite.alice.address), what="delegate")
    suite.bob.call(token.functions.delegate(suite.alice.address), what="delegate")
    devchain.increase_time(w3, 1)
    proposal_id = _propose_transfer(suite, suite.alice, 10**18, "Late")
    deadline = governor.functions.proposalDeadline(proposal_id).call()
    # Reach quorum one hour before the end: voting is extended by a day from now.
    devchain.increase_time(w3, deadline - devchain.latest_timestamp(w3) - 3600)
    suite.alice.call(governor.functions.castVote(proposal_id, FOR), what="late vote")
    extended = governor.functions.proposalDeadline(proposal_id).call()
    assert extended == devchain.latest_timestamp(w3) + 86_400
    assert extended > deadline
