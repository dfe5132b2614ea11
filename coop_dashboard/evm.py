"""Facts of the EVM that every layer names; no imports, so chain/, db/, indexer/ and
services/ can all take them from here (one place for each constant)."""

from __future__ import annotations

# The zero address: "no delegate", the `from` of a mint and the `to` of a burn.
# All zeros, so the same string lowercase or checksummed.
ZERO_ADDRESS = "0x" + "00" * 20
