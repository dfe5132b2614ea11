"""The demo's licenses: tiers on the wine lineage and the digits, sales in ETH and cUSD,
royalties flowing two generations up, one pass that expires and one revoked by governance.

Runs after seed_datasets (it needs the dataset ids by key) and only for `coop seed`
(cli.py): tests that count proposals seed without it. The wine lineage is
wine (Farid) -> wine-scaled (Hiro) -> wine-train (Hiro), so each sale of
wine-train credits wine-scaled's contributor a royalty and, through it, wine's:
two generations up. Chen attested wine, so its sales also pay a curator share.
The revocation is an executed proposal (the timelock alone may revoke), which
also lets the 1-day evaluation pass Dana bought expire on the chain's clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from coop_dashboard.chain.data_licensing import (
    ETH_CURRENCY,
    LICENSING_CONTRACT,
    LicenseClass,
    TierTerms,
    pass_id,
)
from coop_dashboard.chain.seed_datasets import _pass

if TYPE_CHECKING:
    from coop_dashboard.chain.seed import _Seeder

ETHER = 10**18
USD = 10**6
DAY = 86_400
# Members (seed.MEMBERS indexes) and the compute provider (anvil account #14, no tokens).
_DANA, _FARID, _GRACE, _HIRO, _JONAS, _LUCA = 3, 5, 6, 7, 9, 11
PROVIDER_ACCOUNT = 14
_ATTRIBUTION = LicenseClass("all", attribution=True)
REVOCATION_REASON = (
    "# Pass revoked: licensed data republished\n\n"
    "The holder posted the licensed digits as a public download, which the research "
    "tier does not allow. Members voted to revoke the pass; its purchases are not refunded.\n"
)


@dataclass(frozen=True)
class _Tier:
    dataset: str  # demo dataset key
    owner: int
    price: int
    cusd: bool
    days: int
    purpose: str
    license_class: LicenseClass = _ATTRIBUTION


@dataclass
class LicensingReport:
    """What the licensing seed made, for tests and the CLI summary."""

    sales: int = 0
    expired_pass: int = 0
    revoked_pass: int = 0
    provider: str = ""


# Tiers in the order they are set (parents first: a derived tier is checked against them).
TIERS: tuple[_Tier, ...] = (
    _Tier("wine", _FARID, 2 * ETHER // 100, False, 30, "research"),
    _Tier("wine", _FARID, 250 * USD, True, 365, "commercial_training"),
    _Tier("wine-scaled", _HIRO, ETHER // 100, False, 30, "research"),
    _Tier("wine-scaled", _HIRO, 120 * USD, True, 90, "evaluation"),
    _Tier("wine-train", _HIRO, 15 * ETHER // 1000, False, 30, "research"),
    _Tier("wine-train", _HIRO, 300 * USD, True, 365, "commercial_training"),
    _Tier("wine-train", _HIRO, ETHER // 1000, False, 1, "evaluation"),
    _Tier("digits", _DANA, ETHER // 100, False, 90, "research", LicenseClass("non_commercial")),
)
# (buyer, dataset key, tier number on that dataset, holder: None = the buyer, else the provider)
_SALES: tuple[tuple[int, str, int, bool], ...] = (
    (_GRACE, "wine-train", 0, False),
    (_JONAS, "wine-train", 1, True),  # for Jonas's compute provider, in cUSD
    (_LUCA, "wine", 0, False),
    (_DANA, "wine-scaled", 1, False),
    (_DANA, "wine-train", 2, False),  # 1 day: expired by the end of the seed
    (_JONAS, "digits", 0, False),  # revoked below
    (_LUCA, "wine", 1, False),
)


def seed_licensing(seeder: _Seeder, datasets: Mapping[str, int]) -> LicensingReport:
    w3 = seeder.w3
    licensing = seeder.deployment.contract(w3, LICENSING_CONTRACT)
    functions = licensing.functions
    stablecoin = seeder.stablecoin
    cusd = str(stablecoin.address)
    provider = w3.eth.accounts[PROVIDER_ACCOUNT]
    report = LicensingReport(provider=provider)

    indexes: dict[tuple[str, int], int] = {}
    for tier in TIERS:
        dataset_id = datasets[tier.dataset]
        index = int(functions.tierCount(dataset_id).call())
        terms = TierTerms(
            price=tier.price,
            currency=cusd if tier.cusd else ETH_CURRENCY,
            duration_s=tier.days * DAY,
            purpose=tier.purpose,
            license_class=tier.license_class,
        )
        seeder.members[tier.owner].call(
            functions.setTier(dataset_id, index, terms.as_struct()),
            what=f"set tier {index} of {tier.dataset}",
        )
        indexes[(tier.dataset, sum(1 for done in indexes if done[0] == tier.dataset))] = index

    for buyer_index, key, number, for_provider in _SALES:
        buyer = seeder.members[buyer_index]
        dataset_id = datasets[key]
        index = indexes[(key, number)]
        stored = functions.tierOf(dataset_id, index).call()
        price, currency = int(stored[7]), str(stored[0])
        value = price
        if currency.lower() != ETH_CURRENCY:
            buyer.call(stablecoin.functions.mint(buyer.address, price), what="cUSD faucet")
            buyer.call(
                stablecoin.functions.approve(licensing.address, price), what="approve license"
            )
            value = 0
        holder = provider if for_provider else buyer.address
        buyer.call(
            functions.buy(dataset_id, index, holder),
            what=f"buy tier {index} of {key}",
            value=value,
        )
        report.sales += 1

    report.expired_pass = pass_id(
        seeder.members[_DANA].address, datasets["wine-train"], "evaluation"
    )
    report.revoked_pass = pass_id(seeder.members[_JONAS].address, datasets["digits"], "research")
    reason_cid = seeder.store.put(REVOCATION_REASON.encode())
    _pass(
        seeder,
        [str(licensing.address)],
        [seeder._encode(licensing, "revokePass", [report.revoked_pass, f"ipfs://{reason_cid}"])],
        "# Revoke a data access pass\n\nJonas Weber's research pass to the handwritten digits "
        "was used to republish the data. Revoke it (the reason is stored at "
        f"ipfs://{reason_cid}).\n",
    )
    # Farid takes his ETH earnings out; everyone else's stay credited for the demo's withdraws.
    seeder.members[_FARID].call(functions.withdraw(ETH_CURRENCY), what="withdraw earnings")
    return report
