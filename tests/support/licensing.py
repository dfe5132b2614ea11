"""DataLicensing in tests: a world of datasets with lineage, tiers, purchases, and the
split a sale must make (computed independently of the contract, from its documented rule)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from eth_typing import ChecksumAddress
from web3 import Web3
from web3.contract import Contract
from web3.types import TxReceipt

from coop_dashboard.chain.contracts import Deployment
from coop_dashboard.chain.data_licensing import ETH_CURRENCY, Shares, TierTerms, sale_split
from coop_dashboard.chain.transact import Sender
from tests.support.datasets import emitted, register, sample_registration


def read_shares(licensing: Contract) -> Shares:
    f = licensing.functions
    return Shares(f.treasuryFeeBps().call(), f.curatorBps().call(), f.royaltyBps().call())


def expected_split(
    price: int,
    shares: Shares,
    dataset: int,
    treasury: str,
    contributor_of: Callable[[int], str],
    parents_of: Callable[[int], list[int]],
    curators: list[str],
) -> dict[str, int]:
    """Who is credited what for one sale, by account (chain/data_licensing.sale_split)."""
    totals: dict[str, int] = defaultdict(int)
    for item in sale_split(price, shares, dataset, treasury, contributor_of, parents_of, curators):
        totals[item.account] += item.amount
    return dict(totals)


def register_dataset(
    registry: Contract, who: Sender, name: str, parents: tuple[int, ...] = ()
) -> int:
    dataset, _ = register(registry, who, sample_registration(name, parents=parents))
    return dataset


def set_tier(licensing: Contract, who: Sender, dataset: int, terms: TierTerms) -> int:
    """Add a tier to `dataset`; returns its index."""
    index = int(licensing.functions.tierCount(dataset).call())
    who.call(licensing.functions.setTier(dataset, index, terms.as_struct()), what="set tier")
    return index


def buy(
    w3: Web3,
    deployment: Deployment,
    licensing: Contract,
    buyer: Sender,
    dataset: int,
    tier: int,
    holder: str | None = None,
) -> TxReceipt:
    """Buy a tier (approving the ERC20 first when the tier is not in ETH)."""
    price, currency = _price_and_currency(licensing, dataset, tier)
    value = price
    if currency != ETH_CURRENCY:
        token = w3.eth.contract(
            address=currency, abi=deployment.contract_info("MockStablecoin").abi
        )
        buyer.call(token.functions.approve(licensing.address, price), what="approve")
        value = 0
    return buyer.call(
        licensing.functions.buy(dataset, tier, holder or buyer.address), what="buy", value=value
    )


def _price_and_currency(
    licensing: Contract, dataset: int, tier: int
) -> tuple[int, ChecksumAddress]:
    stored = licensing.functions.tierOf(dataset, tier).call()
    return int(stored[7]), Web3.to_checksum_address(stored[0])


def credited(licensing: Contract, receipt: TxReceipt) -> dict[str, int]:
    """The RevenueCredited amounts of one sale, by account."""
    totals: dict[str, int] = defaultdict(int)
    for event in emitted(licensing, "RevenueCredited", receipt):
        totals[event["args"]["account"]] += int(event["args"]["amount"])
    return dict(totals)
