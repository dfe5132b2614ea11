"""The ERC-20 getters' 4-byte selectors, for the raw `eth_call`s that skip web3's ABI
machinery (chain/facts.py's per-block batch, chain/token_claims.py's hostile reads)."""

from __future__ import annotations

NAME_SELECTOR = "0x06fdde03"  # name()
SYMBOL_SELECTOR = "0x95d89b41"  # symbol()
DECIMALS_SELECTOR = "0x313ce567"  # decimals()
TOTAL_SUPPLY_SELECTOR = "0x18160ddd"  # totalSupply()
BALANCE_OF_SELECTOR = "0x70a08231"  # balanceOf(address)
