"""Live figures about the deployed suite, read straight from the chain at one block.

Only point reads (balances, supply, the head): everything that is a list or a
count over events (members, delegates, proposals) comes from the SQL index.
"""

from __future__ import annotations

from dataclasses import dataclass

from web3 import Web3

from coop_dashboard.chain.client import rpc_errors
from coop_dashboard.chain.contracts import Deployment


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


def read_chain_facts(w3: Web3, deployment: Deployment, rpc_url: str) -> ChainFacts:
    """Everything the overview shows, consistent as of one block."""
    with rpc_errors(rpc_url):
        block = w3.eth.get_block("latest")
        at = int(block["number"])
        token = deployment.contract(w3, "CoopToken").functions
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
        )
