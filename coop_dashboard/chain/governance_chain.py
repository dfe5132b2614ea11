"""A handle on the cooperative's governance contracts on one chain.

Services hold this instead of a Web3 object (they must not import web3): it
carries the connection, the manifest, contract handles and the revert decoder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar

from web3 import Web3
from web3.contract import Contract

from coop_dashboard.chain.client import rpc_errors
from coop_dashboard.chain.contracts import Deployment
from coop_dashboard.chain.governance_types import KnownContract
from coop_dashboard.chain.revert import RevertDecoder

T = TypeVar("T")

GOVERNOR = "CoopGovernor"
TIMELOCK = "CoopTimelock"
VOTE_TOKEN = "CoopToken"
DELEGATE_REGISTRY = "DelegateRegistry"


@dataclass
class GovernanceChain:
    w3: Web3
    deployment: Deployment
    _contracts: dict[str, Contract] = field(default_factory=dict, repr=False)

    @property
    def rpc_url(self) -> str:
        return str(getattr(self.w3.provider, "endpoint_uri", None) or "the RPC endpoint")

    @property
    def chain_id(self) -> int:
        return self.deployment.chain_id

    def contract(self, name: str) -> Contract:
        if name not in self._contracts:
            self._contracts[name] = self.deployment.contract(self.w3, name)
        return self._contracts[name]

    @property
    def governor(self) -> Contract:
        return self.contract(GOVERNOR)

    @property
    def timelock(self) -> Contract:
        return self.contract(TIMELOCK)

    @property
    def token(self) -> Contract:
        return self.contract(VOTE_TOKEN)

    @property
    def treasury(self) -> str:
        """The timelock holds the treasury and executes every proposal."""
        return self.deployment.address(TIMELOCK)

    @cached_property
    def revert_decoder(self) -> RevertDecoder:
        return RevertDecoder(c.abi for c in self.deployment.contracts.values())

    def known_contracts(self) -> list[KnownContract]:
        return [
            KnownContract(c.name, Web3.to_checksum_address(c.address), c.abi)
            for c in self.deployment.contracts.values()
        ]

    @contextmanager
    def errors(self) -> Iterator[None]:
        """RPC failures as ChainError / RpcUnavailableError with this chain's URL."""
        with rpc_errors(self.rpc_url):
            yield

    def read(self, read: Callable[[], T]) -> T:
        with self.errors():
            return read()

    def latest_timestamp(self) -> int:
        """The chain's clock: the token's `clock()` is the block timestamp."""
        return self.read(lambda: int(self.w3.eth.get_block("latest")["timestamp"]))
