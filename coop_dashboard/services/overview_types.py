"""What the overview page receives: plain typed values, no web3 objects."""

from __future__ import annotations

from dataclasses import dataclass, field

# Governor states in the order of OZ's IGovernor.ProposalState enum.
PROPOSAL_STATES: tuple[str, ...] = (
    "Pending",
    "Active",
    "Canceled",
    "Defeated",
    "Succeeded",
    "Queued",
    "Expired",
    "Executed",
)


@dataclass(frozen=True)
class TokenAmount:
    """An amount of one asset, already scaled by its decimals for display."""

    symbol: str
    amount: str  # decimal string, e.g. "1250000.5" (exact, no float rounding)
    address: str | None = None  # None for the chain's native coin


@dataclass(frozen=True)
class OverviewFacts:
    """Live facts about the cooperative, read from the chain."""

    chain_id: int
    block_number: int
    block_timestamp: int  # unix seconds of the latest block
    token_name: str
    token_symbol: str
    token_supply: str  # decimal string in whole tokens
    treasury_address: str
    treasury: list[TokenAmount]  # native coin first, then ERC20 holdings
    member_count: int  # addresses holding a non-zero token balance, treasury excluded
    delegate_count: int  # addresses with non-zero voting power
    proposal_count: int
    proposals_by_state: dict[str, int] = field(default_factory=dict)  # every state, 0s included
    contracts: dict[str, str] = field(default_factory=dict)  # contract name -> address
    # The counts above come from the SQL index; it has read the chain up to here
    # (None: the indexer has not finished its first batch yet, counts are 0).
    indexed_block: int | None = None
    # "indexer stalled at block N: reason" while the indexer cannot move on, else "".
    indexer_stall: str = ""
