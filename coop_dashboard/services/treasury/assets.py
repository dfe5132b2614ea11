"""Which assets count as the treasury's holdings, and how to show their amounts.

Only ETH and the ERC20s of the deployment manifest count (their symbols and
decimals are fixed by the suite's contracts). Any other token that moved funds
naming the treasury is "unrecognised": listed apart, in base units, never added
to the holdings (anyone can deploy a token that claims to pay the treasury).
"""

from __future__ import annotations

from dataclasses import dataclass

ETH = "eth"  # the asset key of the native coin in treasury_movement


@dataclass(frozen=True)
class Asset:
    key: str  # "eth" or the token's lowercase address
    symbol: str
    decimals: int
    # Spendable to pay for the cooperative's work: counted by the runway. The
    # cooperative's own governance token is not (paying with it dilutes members).
    liquid: bool
    recognised: bool = True


@dataclass(frozen=True)
class _SuiteToken:
    symbol: str
    decimals: int
    liquid: bool


# Manifest name -> the token the suite deploys under that name.
SUITE_TOKENS: dict[str, _SuiteToken] = {
    "CoopToken": _SuiteToken("COOP", 18, liquid=False),
    "MockStablecoin": _SuiteToken("cUSD", 6, liquid=True),
}

NATIVE = Asset(ETH, "ETH", 18, liquid=True)


def recognised_assets(contracts: dict[str, str]) -> list[Asset]:
    """ETH first, then the manifest's tokens (contracts: manifest name -> address)."""
    assets = [NATIVE]
    for name, token in SUITE_TOKENS.items():
        address = contracts.get(name)
        if address is not None:
            assets.append(Asset(address.lower(), token.symbol, token.decimals, token.liquid))
    return assets


def unrecognised_asset(address: str) -> Asset:
    """A token outside the manifest: its own claims (symbol, decimals) are not trusted."""
    return Asset(address, "unrecognised", 0, liquid=False, recognised=False)
