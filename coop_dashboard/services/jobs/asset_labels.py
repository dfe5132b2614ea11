"""How a job asset is named and its amounts written, when read from the chain.

ETH and the suite's tokens (the deployment manifest's: services/treasury/assets)
have fixed symbols and decimals. Any other asset governance allowed is named by
what its contract claims (chain/token_claims: read as hostile data) only when
the claim is plain and does not pose as a recognised asset, and always with its
address beside it; without a usable claim its amounts are base units.
"""

from __future__ import annotations

from dataclasses import dataclass

from coop_dashboard.chain.token_claims import read_token_claims
from coop_dashboard.evm import ZERO_ADDRESS
from coop_dashboard.services.display import short_address
from coop_dashboard.services.governance.units import format_token_amount
from coop_dashboard.services.transactions import ChainContext
from coop_dashboard.services.treasury.assets import ETH, recognised_assets


@dataclass(frozen=True)
class AssetLabel:
    address: str  # lowercase; the zero address for ETH
    symbol: str  # "ETH", "cUSD", a token's checked claim, or its short address
    decimals: int | None  # None: the token's decimals are unknown (amounts in base units)
    recognised: bool  # ETH or a token of the deployment manifest

    def amount_text(self, amount: int) -> str:
        if self.recognised and self.decimals is not None:
            return format_token_amount(amount, self.decimals, self.symbol)
        token = f"token {short_address(self.address)}"
        if self.decimals is None:
            return f"{amount:,} base units of {token}"
        return f"{format_token_amount(amount, self.decimals, self.symbol)} ({token})"


def recognised_labels(context: ChainContext) -> dict[str, AssetLabel]:
    """ETH and the manifest's tokens by lowercase address."""
    addresses = {name: c.address for name, c in context.deployment.contracts.items()}
    labels = {}
    for asset in recognised_assets(addresses):
        address = ZERO_ADDRESS if asset.key == ETH else asset.key
        labels[address] = AssetLabel(address, asset.symbol, asset.decimals, True)
    return labels


def asset_label(context: ChainContext, asset: str) -> AssetLabel:
    """The label of `asset` (blocking RPC for a token outside the manifest)."""
    address = asset.lower()
    recognised = recognised_labels(context)
    if address in recognised:
        return recognised[address]
    claims = read_token_claims(context.w3, address)
    taken = {label.symbol.lower() for label in recognised.values()}
    symbol = claims.symbol
    if symbol is None or symbol.lower() in taken or claims.decimals is None:
        # No usable claim (or one posing as ETH / cUSD / COOP): name it by its address.
        return AssetLabel(address, short_address(address), None, False)
    return AssetLabel(address, symbol, claims.decimals, False)
