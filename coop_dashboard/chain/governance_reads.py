"""Governance facts read straight from the contracts (eth_call, a few logs).

Feeds and lists come from the indexer's SQL; these reads are for one proposal
or one voter at the moment a person acts (vote readiness, the builder's
checks), and for tests that compare the pure math with the Governor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from web3 import Web3

from coop_dashboard.chain.governance_chain import GovernanceChain
from coop_dashboard.chain.governance_types import (
    GovernanceSettings,
    LifecycleFacts,
    ProposalCall,
    ProposalState,
    TokenInfo,
)
from coop_dashboard.errors import ChainError

# The ERC20s of a suite (MockStablecoin exists on local chains only).
SUITE_TOKENS = ("CoopToken", "MockStablecoin")


def read_settings(chain: GovernanceChain) -> GovernanceSettings:
    governor = chain.governor.functions
    return chain.read(
        lambda: GovernanceSettings(
            voting_delay=governor.votingDelay().call(),
            voting_period=governor.votingPeriod().call(),
            proposal_threshold=governor.proposalThreshold().call(),
            quorum_numerator=governor.quorumNumerator().call(),
            quorum_denominator=governor.quorumDenominator().call(),
            late_quorum_extension=governor.lateQuorumVoteExtension().call(),
            timelock_delay=chain.timelock.functions.getMinDelay().call(),
        )
    )


def read_suite_tokens(chain: GovernanceChain) -> dict[str, TokenInfo]:
    """checksummed address -> symbol/decimals for the suite's ERC20s."""

    def read() -> dict[str, TokenInfo]:
        tokens: dict[str, TokenInfo] = {}
        for name in SUITE_TOKENS:
            if name in chain.deployment.contracts:
                functions = chain.contract(name).functions
                tokens[chain.deployment.address(name)] = TokenInfo(
                    functions.symbol().call(), functions.decimals().call()
                )
        return tokens

    return chain.read(read)


def read_treasury_balances(chain: GovernanceChain) -> dict[str | None, int]:
    """The treasury's holdings: None -> ETH (wei), token address -> base units."""
    treasury = Web3.to_checksum_address(chain.treasury)

    def read() -> dict[str | None, int]:
        balances: dict[str | None, int] = {None: int(chain.w3.eth.get_balance(treasury))}
        for name in SUITE_TOKENS:
            if name in chain.deployment.contracts:
                token = chain.contract(name)
                balances[token.address] = int(token.functions.balanceOf(treasury).call())
        return balances

    return chain.read(read)


@dataclass(frozen=True)
class OnChainProposal:
    """What the Governor itself answers about one proposal, at one block."""

    proposal_id: int
    state: ProposalState
    proposer: str
    snapshot: int
    deadline: int
    for_votes: int
    against_votes: int
    abstain_votes: int
    quorum: int | None  # None while pending: quorum(snapshot) needs a past snapshot
    eta: int  # 0 until queued
    clock: int  # the governor's clock() at the block read


def read_proposal(chain: GovernanceChain, proposal_id: int) -> OnChainProposal:
    governor = chain.governor.functions

    def read() -> OnChainProposal:
        block = chain.w3.eth.get_block("latest")
        at = block["number"]
        snapshot = governor.proposalSnapshot(proposal_id).call(block_identifier=at)
        if snapshot == 0:
            raise ChainError(f"There is no proposal {proposal_id} on this governor.")
        clock = governor.clock().call(block_identifier=at)
        against, for_, abstain = governor.proposalVotes(proposal_id).call(block_identifier=at)
        return OnChainProposal(
            proposal_id=proposal_id,
            state=ProposalState(governor.state(proposal_id).call(block_identifier=at)),
            proposer=governor.proposalProposer(proposal_id).call(block_identifier=at),
            snapshot=snapshot,
            deadline=governor.proposalDeadline(proposal_id).call(block_identifier=at),
            for_votes=for_,
            against_votes=against,
            abstain_votes=abstain,
            quorum=governor.quorum(snapshot).call(block_identifier=at)
            if snapshot < clock
            else None,
            eta=governor.proposalEta(proposal_id).call(block_identifier=at),
            clock=clock,
        )

    return chain.read(read)


def _governor_logs(chain: GovernanceChain, event: str) -> list[Any]:
    log_filter = getattr(chain.governor.events, event)()
    return chain.read(
        lambda: list(
            log_filter.get_logs(from_block=chain.deployment.deploy_block, to_block="latest")
        )
    )


def read_proposal_call(chain: GovernanceChain, proposal_id: int) -> ProposalCall:
    """The actions + description of a proposal, from its ProposalCreated log.

    A fallback for when the indexer is not at hand (tests, one-off checks): it
    scans the governor's logs since the deploy block.
    """
    for log in _governor_logs(chain, "ProposalCreated"):
        args = log["args"]
        if int(args["proposalId"]) == proposal_id:
            return ProposalCall(
                targets=tuple(Web3.to_checksum_address(t) for t in args["targets"]),
                values=tuple(int(v) for v in args["values"]),
                calldatas=tuple(bytes(c) for c in args["calldatas"]),
                description=str(args["description"]),
            )
    raise ChainError(f"No ProposalCreated event for proposal {proposal_id}.")


def read_proposal_flags(chain: GovernanceChain, proposal_id: int) -> tuple[bool, bool]:
    """(executed, canceled): the Governor has no getter for these, its events say it."""
    executed = any(
        int(log["args"]["proposalId"]) == proposal_id
        for log in _governor_logs(chain, "ProposalExecuted")
    )
    canceled = any(
        int(log["args"]["proposalId"]) == proposal_id
        for log in _governor_logs(chain, "ProposalCanceled")
    )
    return executed, canceled


@dataclass(frozen=True)
class VoterFacts:
    """Everything vote readiness depends on, for one (address, proposal)."""

    voter: str
    proposal_id: int
    state: ProposalState
    snapshot: int
    clock: int
    delegatee: str  # ZERO_ADDRESS when not delegated
    balance: int  # vote-token balance now
    votes_now: int  # getVotes now (delegated to this address, including its own)
    votes_at_snapshot: int | None  # getPastVotes at the snapshot; None until it is past
    received_after_snapshot: int  # vote tokens transferred in, in blocks after the snapshot
    has_voted: bool
    token: TokenInfo


def _first_block_after(chain: GovernanceChain, timestamp: int, low: int, high: int) -> int | None:
    """The first block in [low, high] whose timestamp is > `timestamp` (binary search over
    headers, which every node serves)."""
    if int(chain.w3.eth.get_block(high)["timestamp"]) <= timestamp:
        return None
    while low < high:
        middle = (low + high) // 2
        if int(chain.w3.eth.get_block(middle)["timestamp"]) <= timestamp:
            low = middle + 1
        else:
            high = middle
    return low


def _received_after(chain: GovernanceChain, voter: str, snapshot: int, latest: int) -> int:
    start = _first_block_after(chain, snapshot, chain.deployment.deploy_block, latest)
    if start is None:
        return 0
    logs = chain.token.events.Transfer().get_logs(
        from_block=start, to_block=latest, argument_filters={"to": voter}
    )
    return sum(int(log["args"]["value"]) for log in logs)


def read_voter_facts(chain: GovernanceChain, voter: str, proposal_id: int) -> VoterFacts:
    address = Web3.to_checksum_address(voter)
    governor = chain.governor.functions
    token = chain.token.functions

    def read() -> VoterFacts:
        block = chain.w3.eth.get_block("latest")
        at = block["number"]
        snapshot = governor.proposalSnapshot(proposal_id).call(block_identifier=at)
        if snapshot == 0:
            raise ChainError(f"There is no proposal {proposal_id} on this governor.")
        clock = governor.clock().call(block_identifier=at)
        past = (
            token.getPastVotes(address, snapshot).call(block_identifier=at)
            if snapshot < clock
            else None
        )
        return VoterFacts(
            voter=address,
            proposal_id=proposal_id,
            state=ProposalState(governor.state(proposal_id).call(block_identifier=at)),
            snapshot=snapshot,
            clock=clock,
            delegatee=token.delegates(address).call(block_identifier=at),
            balance=token.balanceOf(address).call(block_identifier=at),
            votes_now=token.getVotes(address).call(block_identifier=at),
            votes_at_snapshot=past,
            received_after_snapshot=_received_after(chain, address, snapshot, at),
            has_voted=governor.hasVoted(proposal_id, address).call(block_identifier=at),
            token=TokenInfo(token.symbol().call(), token.decimals().call()),
        )

    return chain.read(read)


def read_proposer_power(chain: GovernanceChain, proposer: str) -> tuple[int, int]:
    """(votes the proposer will have when `propose` is mined, proposalThreshold).

    `propose` checks getVotes(proposer, clock() - 1) in its own block. That block's
    timestamp is later than the latest block's, so every checkpoint already mined
    counts: the token's current getVotes is exactly that number. (Asking the
    governor for getVotes(latest - 1) would miss a delegation mined in the latest
    block and refuse a proposer who will in fact pass.)
    """
    address = Web3.to_checksum_address(proposer)
    return chain.read(
        lambda: (
            int(chain.token.functions.getVotes(address).call()),
            int(chain.governor.functions.proposalThreshold().call()),
        )
    )


def read_lifecycle_facts(chain: GovernanceChain, proposal_id: int) -> LifecycleFacts:
    governor = chain.governor.functions

    def read() -> LifecycleFacts:
        block = chain.w3.eth.get_block("latest")
        at = block["number"]
        if governor.proposalSnapshot(proposal_id).call(block_identifier=at) == 0:
            raise ChainError(f"There is no proposal {proposal_id} on this governor.")
        return LifecycleFacts(
            proposal_id=proposal_id,
            state=ProposalState(governor.state(proposal_id).call(block_identifier=at)),
            proposer=governor.proposalProposer(proposal_id).call(block_identifier=at),
            eta=int(governor.proposalEta(proposal_id).call(block_identifier=at)),
            needs_queuing=governor.proposalNeedsQueuing(proposal_id).call(block_identifier=at),
            timelock_delay=int(chain.timelock.functions.getMinDelay().call(block_identifier=at)),
            clock=int(block["timestamp"]),
        )

    return chain.read(read)
