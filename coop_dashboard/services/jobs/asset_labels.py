"""How a job asset is named and its amounts written, when read from the chain.

ETH and the suite's tokens (the deployment manifest's: services/treasury/assets)
have fixed symbols and decimals. Any other asset governance allowed is named by
what its contract claims (chain/token_claims: read as hostile data) only when
the claim is plain and does not pose as a recognised asset, and always with its
address beside it; without a usable claim its amounts are base units.

A token's claims are read once per chain and manifest and kept in this process
(`asset_label`, `label_of`): pages showing amounts in it (board, job page,
provider page, withdraw buttons) and the bid check use the same label without an
RPC per view. A node that does not answer gives base units, not cached, so the
claims are read when it is back. A token changing its claims later keeps the
label it had: it cannot come to pose as ETH by renaming itself.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from coop_dashboard.chain.token_claims import read_token_claims
from coop_dashboard.config import Settings
from coop_dashboard.errors import CoopError
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


# Checked labels of tokens outside the manifest: (RPC URL, manifest path, token) -> label.
_LABELS: dict[tuple[str, str, str], AssetLabel] = {}
_LABELS_LOCK = threading.Lock()
MAX_CACHED_LABELS = 4_096  # governance allows few assets; a bound all the same


def address_label(address: str) -> AssetLabel:
    """A token named by its address only: amounts in base units."""
    return AssetLabel(address.lower(), short_address(address.lower()), None, False)


def asset_label(context: ChainContext, asset: str) -> AssetLabel:
    """The label of `asset`; a token outside the manifest has its claims read once
    (blocking RPC on the first call). RpcUnavailableError if the node does not answer."""
    address = asset.lower()
    recognised = recognised_labels(context)
    if address in recognised:
        return recognised[address]
    key = (context.settings.rpc_url, str(context.settings.deployment_path), address)
    with _LABELS_LOCK:
        cached = _LABELS.get(key)
    if cached is not None:
        return cached
    label = _claimed_label(context, address, recognised)
    with _LABELS_LOCK:
        if len(_LABELS) >= MAX_CACHED_LABELS:
            _LABELS.pop(next(iter(_LABELS)))  # the oldest
        _LABELS[key] = label
    return label


def forget_asset_labels() -> None:
    """Drop the cached labels (a test that changes a token's claims reads them again)."""
    with _LABELS_LOCK:
        _LABELS.clear()


def label_of(settings: Settings, asset: str) -> AssetLabel:
    """`asset_label` for the pages: base units and the address when the chain or its
    manifest cannot be reached (the page still shows the job; the label is not cached)."""
    try:
        return asset_label(ChainContext.load(settings), asset)
    except CoopError:
        if asset.lower() == ZERO_ADDRESS:
            return AssetLabel(ZERO_ADDRESS, "ETH", 18, True)
        return address_label(asset)


def _claimed_label(
    context: ChainContext, address: str, recognised: dict[str, AssetLabel]
) -> AssetLabel:
    claims = read_token_claims(context.w3, address)
    taken = {label.symbol.lower() for label in recognised.values()}
    symbol = claims.symbol
    if symbol is None or symbol.lower() in taken or claims.decimals is None:
        # No usable claim (or one posing as ETH / cUSD / COOP): name it by its address.
        return address_label(address)
    return AssetLabel(address, symbol, claims.decimals, False)
