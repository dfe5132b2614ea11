"""Plain types the governance chain modules return and the services consume.

Kept free of web3 imports so the pure service code (state math, decoding,
builders) can use them without pulling the chain layer's machinery along.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from eth_utils import keccak


class ProposalState(IntEnum):
    """`IGovernor.ProposalState`, in enum order (the values the contract returns)."""

    PENDING = 0
    ACTIVE = 1
    CANCELED = 2
    DEFEATED = 3
    SUCCEEDED = 4
    QUEUED = 5
    EXPIRED = 6
    EXECUTED = 7

    @property
    def label(self) -> str:
        return self.name.capitalize()


class VoteSupport(IntEnum):
    """GovernorCountingSimple's vote types."""

    AGAINST = 0
    FOR = 1
    ABSTAIN = 2

    @property
    def label(self) -> str:
        return self.name.capitalize()


@dataclass(frozen=True)
class TokenInfo:
    """What is needed to show amounts of one ERC20 exactly."""

    symbol: str
    decimals: int


@dataclass(frozen=True)
class KnownContract:
    """A contract of the cooperative: its name in the manifest, address and ABI."""

    name: str
    address: str  # checksummed
    abi: list[dict[str, Any]]


@dataclass(frozen=True)
class GovernanceSettings:
    """Current values of every governance parameter (seconds, base units, percent)."""

    voting_delay: int
    voting_period: int
    proposal_threshold: int  # vote-token base units
    quorum_numerator: int
    quorum_denominator: int
    late_quorum_extension: int
    timelock_delay: int


@dataclass(frozen=True)
class ProposalCall:
    """The four arrays + description that identify a proposal to the Governor."""

    targets: tuple[str, ...]
    values: tuple[int, ...]
    calldatas: tuple[bytes, ...]
    description: str

    @property
    def description_hash(self) -> bytes:
        return keccak(text=self.description)


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
