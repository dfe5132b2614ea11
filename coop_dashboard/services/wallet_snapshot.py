"""The wallet bridge's successful answers, read defensively into typed values.

Everything here comes from the browser (a wallet extension, or anything else
running in the page), so every field is checked and nothing is trusted:
an address is only kept if it is one, a chain id only if it is an integer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from eth_utils import to_checksum_address

from coop_dashboard.auth.addresses import shown

_ADDRESS_RE = re.compile(r"0x[0-9a-fA-F]{40}")
_TX_HASH_RE = re.compile(r"0x[0-9a-fA-F]{64}")
_SIGNATURE_RE = re.compile(r"0x(?:[0-9a-fA-F]{2})+")
MAX_WALLETS_LISTED = 12


@dataclass(frozen=True)
class WalletChoice:
    """An installed wallet the person can pick (EIP-6963 announcement)."""

    id: str
    name: str
    icon: str  # a data: URL, or ""


@dataclass(frozen=True)
class WalletSnapshot:
    """The connected wallet as the bridge sees it now."""

    account: str  # checksummed, "" when no account is shared
    chain_id: int  # 0 when unknown
    wallet_name: str
    page_origin: str


def checksummed_or_empty(value: object) -> str:
    if isinstance(value, str) and _ADDRESS_RE.fullmatch(value):
        return str(to_checksum_address(value))
    return ""


def _int_or_zero(value: object) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int) and value >= 0:
        return value
    return 0


def parse_snapshot(result: Mapping[str, Any]) -> WalletSnapshot:
    wallet = result.get("wallet")
    name = wallet.get("name") if isinstance(wallet, Mapping) else None
    origin = result.get("origin")
    return WalletSnapshot(
        account=checksummed_or_empty(result.get("account")),
        chain_id=_int_or_zero(result.get("chainId")),
        wallet_name=shown(name, 40) if isinstance(name, str) else "",
        page_origin=shown(origin, 200) if isinstance(origin, str) else "",
    )


def parse_choices(result: Mapping[str, Any]) -> list[WalletChoice]:
    """The wallets listed in a "choose_wallet" answer (at most MAX_WALLETS_LISTED)."""
    data = result.get("data")
    raw = data.get("wallets") if isinstance(data, Mapping) else None
    if not isinstance(raw, list):
        return []
    choices: list[WalletChoice] = []
    for entry in raw[:MAX_WALLETS_LISTED]:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("id"), str):
            continue
        icon = entry.get("icon")
        name = entry.get("name")
        choices.append(
            WalletChoice(
                id=shown(entry["id"], 100),
                name=shown(name, 40) if isinstance(name, str) and name else "Wallet",
                # Only inline images: a URL would make the browser fetch from anywhere.
                icon=icon if isinstance(icon, str) and icon.startswith("data:image/") else "",
            )
        )
    return choices


def tx_hash_or_empty(value: object) -> str:
    return value.lower() if isinstance(value, str) and _TX_HASH_RE.fullmatch(value) else ""


def signature_or_empty(value: object) -> str:
    return value if isinstance(value, str) and _SIGNATURE_RE.fullmatch(value) else ""


def is_ok(result: object) -> bool:
    return isinstance(result, Mapping) and result.get("ok") is True
