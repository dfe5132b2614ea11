"""Unsigned governance transactions for the user's wallet, and when they are allowed.

Each builder returns an `UnsignedTx` (to, data, value, chainId, from) with a
sentence saying what it does; the wallet bridge sends it with
`eth_sendTransaction`. `read_lifecycle_facts` reads what "can this be queued /
executed / canceled now" depends on (state, eta, proposer, chain clock) at one
block; the rules and their sentences are pure, in services.governance.eligibility.
"""

from __future__ import annotations

from dataclasses import dataclass

from web3 import Web3

from coop_dashboard.chain.governance_chain import GovernanceChain
from coop_dashboard.chain.governance_types import (
    ProposalCall,
    ProposalState,
    UnsignedTx,
    VoteSupport,
)
from coop_dashboard.errors import ChainError, ValidationError

REASON_MAX_CHARS = 2_000  # a vote reason is calldata: keep it to a few paragraphs


def _short_id(proposal_id: int) -> str:
    text = str(proposal_id)
    return text if len(text) <= 12 else f"{text[:6]}…{text[-4:]}"


def _tx(chain: GovernanceChain, sender: str, data: str, description: str) -> UnsignedTx:
    return UnsignedTx(
        to=chain.governor.address,
        data=data,
        value=0,
        chain_id=chain.chain_id,
        from_address=Web3.to_checksum_address(sender),
        description=description,
    )


def _call_args(call: ProposalCall) -> list[object]:
    return [list(call.targets), list(call.values), list(call.calldatas), call.description_hash]


def cast_vote_tx(
    chain: GovernanceChain, voter: str, proposal_id: int, support: VoteSupport, reason: str = ""
) -> UnsignedTx:
    """castVote, or castVoteWithReason when there is a reason."""
    reason = reason.strip()
    if len(reason) > REASON_MAX_CHARS:
        raise ValidationError(f"The reason is too long: at most {REASON_MAX_CHARS:,} characters.")
    if support not in (0, 1, 2):
        raise ValidationError("A vote is for, against or abstain.")
    support = VoteSupport(support)
    governor = chain.governor
    if reason:
        data = governor.encode_abi("castVoteWithReason", args=[proposal_id, int(support), reason])
        words = f"Vote {support.label} on proposal {_short_id(proposal_id)}, with a reason"
    else:
        data = governor.encode_abi("castVote", args=[proposal_id, int(support)])
        words = f"Vote {support.label} on proposal {_short_id(proposal_id)}"
    return _tx(chain, voter, data, words)


def propose_tx(chain: GovernanceChain, proposer: str, call: ProposalCall) -> UnsignedTx:
    data = chain.governor.encode_abi(
        "propose",
        args=[list(call.targets), list(call.values), list(call.calldatas), call.description],
    )
    count = len(call.targets)
    noun = "action" if count == 1 else "actions"
    return _tx(chain, proposer, data, f"Create a proposal with {count} {noun}")


def queue_tx(
    chain: GovernanceChain, sender: str, proposal_id: int, call: ProposalCall
) -> UnsignedTx:
    data = chain.governor.encode_abi("queue", args=_call_args(call))
    return _tx(chain, sender, data, f"Queue proposal {_short_id(proposal_id)} in the timelock")


def execute_tx(
    chain: GovernanceChain, sender: str, proposal_id: int, call: ProposalCall
) -> UnsignedTx:
    # No value: the timelock pays the actions' ETH from the treasury.
    data = chain.governor.encode_abi("execute", args=_call_args(call))
    return _tx(chain, sender, data, f"Execute proposal {_short_id(proposal_id)}")


def cancel_tx(
    chain: GovernanceChain, sender: str, proposal_id: int, call: ProposalCall
) -> UnsignedTx:
    data = chain.governor.encode_abi("cancel", args=_call_args(call))
    return _tx(chain, sender, data, f"Cancel proposal {_short_id(proposal_id)}")


def delegate_tx(chain: GovernanceChain, delegator: str, delegatee: str) -> UnsignedTx:
    delegator = Web3.to_checksum_address(delegator)
    delegatee = Web3.to_checksum_address(delegatee)
    data = chain.token.encode_abi("delegate", args=[delegatee])
    words = (
        "Delegate your votes to yourself"
        if delegatee == delegator
        else f"Delegate your votes to {delegatee}"
    )
    return UnsignedTx(
        to=chain.token.address,
        data=data,
        value=0,
        chain_id=chain.chain_id,
        from_address=delegator,
        description=words,
    )


# --- what eligibility depends on -------------------------------------------------------------


@dataclass(frozen=True)
class LifecycleFacts:
    """The Governor's view of one proposal, for queue / execute / cancel decisions
    (the rules are in services.governance.eligibility)."""

    proposal_id: int
    state: ProposalState
    proposer: str
    eta: int  # proposalEta: 0 until queued
    needs_queuing: bool
    timelock_delay: int  # seconds
    clock: int  # the chain's clock (latest block timestamp)


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
