"""Live facts about the deployed suite, read straight from the chain.

The lists here (holders, delegates, proposals) come from logs since the deploy
block; once the indexer runs, pages read them from SQL instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from web3 import Web3

from coop_dashboard.chain.client import rpc_errors
from coop_dashboard.chain.contracts import Deployment

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


@dataclass(frozen=True)
class Erc20Holding:
    symbol: str
    decimals: int
    address: str
    balance: int  # base units


@dataclass(frozen=True)
class ChainFacts:
    """Raw (unscaled) figures; the service layer formats them."""

    chain_id: int
    block_number: int
    block_timestamp: int
    token_name: str
    token_symbol: str
    token_decimals: int
    token_supply: int
    treasury_address: str
    treasury_eth_wei: int
    treasury_erc20: list[Erc20Holding]
    member_count: int
    delegate_count: int
    proposal_states: dict[int, int] = field(default_factory=dict)  # proposal id -> state enum


def _holders(w3: Web3, deployment: Deployment, to_block: int) -> dict[str, int]:
    token = deployment.contract(w3, "CoopToken")
    balances: dict[str, int] = {}
    logs = token.events.Transfer().get_logs(from_block=deployment.deploy_block, to_block=to_block)
    for log in logs:
        value = int(log["args"]["value"])
        sender, receiver = log["args"]["from"], log["args"]["to"]
        if sender != ZERO_ADDRESS:
            balances[sender] = balances.get(sender, 0) - value
        if receiver != ZERO_ADDRESS:
            balances[receiver] = balances.get(receiver, 0) + value
    return balances


def _delegate_votes(w3: Web3, deployment: Deployment, to_block: int) -> dict[str, int]:
    token = deployment.contract(w3, "CoopToken")
    votes: dict[str, int] = {}
    logs = token.events.DelegateVotesChanged().get_logs(
        from_block=deployment.deploy_block, to_block=to_block
    )
    for log in logs:
        votes[log["args"]["delegate"]] = int(log["args"]["newVotes"])
    return votes


def read_chain_facts(w3: Web3, deployment: Deployment, rpc_url: str) -> ChainFacts:
    """Everything the overview shows, consistent as of one block."""
    with rpc_errors(rpc_url):
        block = w3.eth.get_block("latest")
        at = int(block["number"])
        token = deployment.contract(w3, "CoopToken").functions
        governor = deployment.contract(w3, "CoopGovernor")
        treasury = deployment.address("CoopTimelock")
        erc20: list[Erc20Holding] = []
        for name in ("CoopToken", "MockStablecoin"):
            if name not in deployment.contracts:
                continue
            functions = deployment.contract(w3, name).functions
            erc20.append(
                Erc20Holding(
                    symbol=functions.symbol().call(block_identifier=at),
                    decimals=functions.decimals().call(block_identifier=at),
                    address=deployment.address(name),
                    balance=functions.balanceOf(treasury).call(block_identifier=at),
                )
            )
        holders = _holders(w3, deployment, at)
        members = [a for a, bal in holders.items() if bal > 0 and a != treasury]
        delegates = [a for a, v in _delegate_votes(w3, deployment, at).items() if v > 0]
        created = governor.events.ProposalCreated().get_logs(
            from_block=deployment.deploy_block, to_block=at
        )
        proposal_states = {
            int(log["args"]["proposalId"]): int(
                governor.functions.state(log["args"]["proposalId"]).call(block_identifier=at)
            )
            for log in created
        }
        return ChainFacts(
            chain_id=w3.eth.chain_id,
            block_number=at,
            block_timestamp=int(block["timestamp"]),
            token_name=token.name().call(block_identifier=at),
            token_symbol=token.symbol().call(block_identifier=at),
            token_decimals=token.decimals().call(block_identifier=at),
            token_supply=token.totalSupply().call(block_identifier=at),
            treasury_address=treasury,
            treasury_eth_wei=w3.eth.get_balance(
                Web3.to_checksum_address(treasury), block_identifier=at
            ),
            treasury_erc20=erc20,
            member_count=len(members),
            delegate_count=len(delegates),
            proposal_states=proposal_states,
        )
