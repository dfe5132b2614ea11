"""One member's standing, read live from the chain: balance, voting power, delegate."""

from __future__ import annotations

from dataclasses import dataclass

from web3 import Web3

from coop_dashboard.chain.client import rpc_errors
from coop_dashboard.chain.contracts import Deployment


@dataclass(frozen=True)
class MemberFacts:
    """Raw (unscaled) figures about one address, consistent as of `block_number`."""

    address: str
    block_number: int
    token_symbol: str
    token_decimals: int
    balance: int  # governance token, base units
    votes: int  # CoopToken.getVotes: voting power right now, base units
    delegate: str  # whom the address delegates to; ZERO_ADDRESS when it never delegated
    eth_balance: int  # wei, to pay for gas


def read_member(w3: Web3, deployment: Deployment, address: str, rpc_url: str) -> MemberFacts:
    """Read `address`'s standing in the cooperative at the latest block."""
    member = Web3.to_checksum_address(address)
    with rpc_errors(rpc_url):
        at = int(w3.eth.block_number)
        token = deployment.contract(w3, "CoopToken").functions
        return MemberFacts(
            address=member,
            block_number=at,
            token_symbol=token.symbol().call(block_identifier=at),
            token_decimals=token.decimals().call(block_identifier=at),
            balance=token.balanceOf(member).call(block_identifier=at),
            votes=token.getVotes(member).call(block_identifier=at),
            delegate=Web3.to_checksum_address(token.delegates(member).call(block_identifier=at)),
            eth_balance=w3.eth.get_balance(member, block_identifier=at),
        )
