"""The currencies licenses are priced in, and their amounts as people read them.

ETH is address zero in DataLicensing. An ERC20 is named and scaled only when it
is one of the suite's own tokens (the manifest's MockStablecoin: cUSD, 6
decimals); any other token governance allowed is shown by its address in base
units, since a token's own symbol() and decimals() are whatever its deployer wrote.
"""

from __future__ import annotations

from dataclasses import dataclass

from coop_dashboard.chain.data_licensing import ETH_CURRENCY
from coop_dashboard.services.display import short_address
from coop_dashboard.services.governance.units import format_token_amount
from coop_dashboard.services.treasury.assets import recognised_assets

ETH_SYMBOL = "ETH"


@dataclass(frozen=True)
class Currency:
    address: str  # lowercase; ETH_CURRENCY for ether
    symbol: str
    decimals: int
    manifest_name: str = ""  # the suite's contract name of an ERC20 ("" for ETH / unknown)

    @property
    def is_eth(self) -> bool:
        return self.address == ETH_CURRENCY

    def amount(self, base_units: int) -> str:
        """Exact, grouped, with the symbol: "0.05 ETH", "12.5 cUSD"."""
        return format_token_amount(base_units, self.decimals, self.symbol)


ETH = Currency(ETH_CURRENCY, ETH_SYMBOL, 18)
_MANIFEST_NAMES = {"cUSD": "MockStablecoin", "COOP": "CoopToken"}


def known_currencies(contracts: dict[str, str]) -> dict[str, Currency]:
    """ETH and the suite's tokens by lowercase address (contracts: manifest name -> address)."""
    found = {ETH.address: ETH}
    for asset in recognised_assets(contracts):
        if asset.key == "eth":
            continue
        found[asset.key] = Currency(
            asset.key, asset.symbol, asset.decimals, _MANIFEST_NAMES.get(asset.symbol, "")
        )
    return found


def currency_of(address: str, known: dict[str, Currency]) -> Currency:
    """The currency at `address`; a token outside the suite keeps base units and its address."""
    key = address.lower()
    return known.get(key) or Currency(key, f"units of {short_address(key)}", 0)
