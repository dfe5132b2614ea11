"""Governance activity written the way a stranger can: raw transactions whose strings are
any bytes (invalid UTF-8, NUL), built with eth_abi because web3 only sends valid text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eth_abi import encode
from eth_utils import keccak
from web3 import Web3

from coop_dashboard.chain import devchain
from coop_dashboard.chain.contracts import Deployment
from coop_dashboard.chain.deploy import TOKEN
from coop_dashboard.chain.transact import Sender

# A string parameter is ABI-encoded exactly like `bytes`: encoding it as bytes lets
# the test put any bytes in it, as any client of the chain can.
PROPOSE = ("propose(address[],uint256[],bytes[],string)", ["address[]", "uint256[]", "bytes[]"])
VOTE_WITH_REASON = ("castVoteWithReason(uint256,uint8,string)", ["uint256", "uint8"])
PUBLISH_STATEMENT = (
    "publishStatement(string,bytes32,string[],bool)",
    ["bytes", "bytes32", "bytes[]", "bool"],
)


def send_raw_call(
    sender: Sender, to: str, signature: str, types: Sequence[str], values: Sequence[Any]
) -> int:
    """Call `signature` on `to` with `values` encoded as `types`; returns the block number."""
    data = keccak(text=signature)[:4] + encode(list(types), list(values))
    receipt = sender.send(
        {"to": Web3.to_checksum_address(to), "data": "0x" + data.hex()},  # type: ignore[typeddict-item]
        what=signature,
    )
    return int(receipt["blockNumber"])


@dataclass(frozen=True)
class RawProposal:
    """A proposal whose description is `description` byte for byte."""

    proposal_id: int
    description: bytes
    targets: list[str]
    values: list[int]
    calldatas: list[bytes]
    block_number: int


def give_votes(w3: Web3, deployment: Deployment, holder: Sender, amount: int) -> None:
    token = deployment.contract(w3, "CoopToken").functions
    deployer = Sender.unlocked(w3, deployment.deployer)
    deployer.call(token.transfer(holder.address, amount * TOKEN), what="fund")
    holder.call(token.delegate(holder.address), what="self-delegate")
    devchain.increase_time(w3, 1)


def propose_raw(
    w3: Web3, deployment: Deployment, proposer: Sender, description: bytes
) -> RawProposal:
    """Propose one harmless call (the token's decimals()) with `description` as given."""
    governor = deployment.contract(w3, "CoopGovernor")
    token = deployment.contract(w3, "CoopToken")
    targets = [token.address]
    values = [0]
    calldatas = [bytes.fromhex(token.encode_abi("decimals", [])[2:])]
    signature, types = PROPOSE
    block = send_raw_call(
        proposer,
        governor.address,
        signature,
        [*types, "bytes"],
        [targets, values, calldatas, description],
    )
    proposal_id = governor.functions.hashProposal(
        targets, values, calldatas, keccak(description)
    ).call()
    return RawProposal(int(proposal_id), description, targets, values, calldatas, block)


def vote_raw(
    w3: Web3, deployment: Deployment, voter: Sender, proposal_id: int, support: int, reason: bytes
) -> int:
    """castVoteWithReason with `reason` as given; returns the vote's block number."""
    signature, types = VOTE_WITH_REASON
    governor = deployment.contract_info("CoopGovernor").address
    return send_raw_call(
        voter, governor, signature, [*types, "bytes"], [proposal_id, support, reason]
    )


def publish_statement_raw(
    deployment: Deployment, delegate: Sender, uri: bytes, topics: list[bytes]
) -> int:
    signature, types = PUBLISH_STATEMENT
    registry = deployment.contract_info("DelegateRegistry").address
    return send_raw_call(delegate, registry, signature, types, [uri, b"\x11" * 32, topics, True])


def open_voting(w3: Web3, deployment: Deployment) -> None:
    governor = deployment.contract(w3, "CoopGovernor").functions
    devchain.increase_time(w3, governor.votingDelay().call() + 1)


def close_voting(w3: Web3, deployment: Deployment, proposal_id: int) -> None:
    governor = deployment.contract(w3, "CoopGovernor").functions
    deadline = governor.proposalDeadline(proposal_id).call()
    devchain.increase_time(w3, deadline - devchain.latest_timestamp(w3) + 1)
