"""DataLicensing's vocabulary on the Python side: its enums, pass ids and tier terms.

The tuples mirror `DataLicensing.Purpose`, `Use` and `Source` (order matters: the
chain carries their index). The indexer stores the names; tests and the seed build
`TierTerms` tuples from here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from web3 import Web3
from web3.contract import Contract

from coop_dashboard.evm import ZERO_ADDRESS

LICENSING_CONTRACT = "DataLicensing"
ETH_CURRENCY = ZERO_ADDRESS  # DataLicensing's currency address for ether

# DataLicensing.Purpose, by index.
PURPOSES: tuple[str, ...] = ("research", "commercial_training", "evaluation", "other")
# DataLicensing.Use, by index, most permissive first.
USES: tuple[str, ...] = ("all", "non_commercial", "academic")
# DataLicensing.Source (where a credit came from), by index.
SOURCES: tuple[str, ...] = ("sale", "treasury_fee", "curation", "upstream_royalty")

BPS = 10_000
MAX_ROYALTY_DEPTH = 4
MAX_UPSTREAM_CREDITS = 32
MAX_TIERS = 16
MAX_CID_LENGTH = 128


def _name(names: tuple[str, ...], index: int) -> str:
    return names[index] if 0 <= index < len(names) else "unknown"


def purpose_name(index: int) -> str:
    """The name of a Purpose index ("unknown" for an index this code does not know)."""
    return _name(PURPOSES, index)


def use_name(index: int) -> str:
    """The name of a Use index ("unknown" for an index this code does not know)."""
    return _name(USES, index)


def source_name(index: int) -> str:
    """The name of a Source index ("unknown" for an index this code does not know)."""
    return _name(SOURCES, index)


def pass_id(holder: str, dataset_id: int, purpose: str) -> int:
    """The pass token id of (holder, dataset, purpose), as `DataLicensing.passId`."""
    return (int(holder, 16) << 96) | (dataset_id << 8) | PURPOSES.index(purpose)


def split_pass_id(token_id: int) -> tuple[str, int, int]:
    """(holder as 0x-hex, dataset id, purpose index) encoded in a pass token id."""
    holder = token_id >> 96
    return f"0x{holder:040x}", (token_id >> 8) & ((1 << 88) - 1), token_id & 0xFF


@dataclass(frozen=True)
class LicenseClass:
    """Who may use the data (`use`) and on what terms."""

    use: str = "all"
    attribution: bool = True
    share_alike: bool = False

    def as_struct(self) -> tuple[int, bool, bool]:
        return (USES.index(self.use), self.attribution, self.share_alike)


@dataclass(frozen=True)
class TierTerms:
    """What `DataLicensing.setTier` takes (its `TierTerms` struct)."""

    price: int
    currency: str = ETH_CURRENCY
    duration_s: int = 30 * 86_400
    purpose: str = "research"
    license_class: LicenseClass = LicenseClass()

    def as_struct(self) -> tuple[object, ...]:
        return (
            self.price,
            self.currency,
            self.duration_s,
            PURPOSES.index(self.purpose),
            self.license_class.as_struct(),
        )


@dataclass(frozen=True)
class Shares:
    """The basis points of a sale governance set (DataLicensing.SharesSet)."""

    treasury_fee_bps: int
    curator_bps: int
    royalty_bps: int


@dataclass(frozen=True)
class SplitShare:
    """One credit a sale makes: `amount` to `account` as `source`, through `earning_dataset_id`."""

    account: str
    source: str
    earning_dataset_id: int
    amount: int


def sale_split(
    price: int,
    shares: Shares,
    dataset_id: int,
    treasury: str,
    contributor_of: Callable[[int], str],
    parents_of: Callable[[int], list[int]],
    curators: list[str],
) -> list[SplitShare]:
    """The credits a sale of `dataset_id` at `price` makes, by the contract's rule (for the
    page's "who gets what" and the tests): treasury fee, equal curator shares, the upstream
    royalty split equally among parents, each ancestor passing `royalty_bps` of its share on
    (MAX_ROYALTY_DEPTH generations, MAX_UPSTREAM_CREDITS credits), the rest to the contributor.
    """
    split: list[SplitShare] = []
    fee = price * shares.treasury_fee_bps // BPS
    split.append(SplitShare(treasury, "treasury_fee", dataset_id, fee))
    distributed = fee
    pool = price * shares.curator_bps // BPS
    if pool and curators and pool // len(curators):
        each = pool // len(curators)
        split.extend(SplitShare(c, "curation", dataset_id, each) for c in curators)
        distributed += each * len(curators)
    budget = [0]

    def upstream(child: int, amount: int, depth: int) -> int:
        parents = parents_of(child)
        if not parents or amount // len(parents) == 0:
            return 0
        share = amount // len(parents)
        paid = 0
        for parent in parents:
            if budget[0] >= MAX_UPSTREAM_CREDITS:
                break
            budget[0] += 1
            kept = share
            if depth < MAX_ROYALTY_DEPTH:
                passed = share * shares.royalty_bps // BPS
                if passed:
                    kept = share - upstream(parent, passed, depth + 1)
            split.append(SplitShare(contributor_of(parent), "upstream_royalty", parent, kept))
            paid += share
        return paid

    royalty = price * shares.royalty_bps // BPS
    if royalty:
        distributed += upstream(dataset_id, royalty, 1)
    split.append(SplitShare(contributor_of(dataset_id), "sale", dataset_id, price - distributed))
    return [item for item in split if item.amount]


def has_access(licensing: Contract, account: str, dataset_id: int, purpose: str) -> bool:
    """`DataLicensing.hasAccess` at the latest block: the chain's word on a pass, which an
    index that lags (a revocation or expiry not yet indexed) must never override."""
    if purpose not in PURPOSES:
        return False
    checksummed = Web3.to_checksum_address(account)
    return bool(
        licensing.functions.hasAccess(checksummed, dataset_id, PURPOSES.index(purpose)).call()
    )
