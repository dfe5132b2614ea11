"""Controls only a local development node offers (anvil): time travel, mining."""

from __future__ import annotations

from typing import Any

from web3 import Web3

from coop_dashboard.chain.rpc import reply_result
from coop_dashboard.errors import ChainError


def _request(w3: Web3, method: str, params: list[Any]) -> Any:
    return reply_result(method, w3.provider.make_request(method, params))  # type: ignore[arg-type]


def increase_time(w3: Web3, seconds: int) -> None:
    """Move the chain's clock forward and mine a block at the new time."""
    _request(w3, "evm_increaseTime", [seconds])
    _request(w3, "evm_mine", [])


def mine(w3: Web3, blocks: int = 1) -> None:
    _request(w3, "anvil_mine", [hex(blocks)])


def latest_timestamp(w3: Web3) -> int:
    return int(w3.eth.get_block("latest")["timestamp"])


def is_dev_node(w3: Web3) -> bool:
    """Whether the node accepts anvil's dev methods (the seed needs them)."""
    try:
        _request(w3, "anvil_nodeInfo", [])
    except (ChainError, ValueError):
        return False
    return True
