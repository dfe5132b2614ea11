"""Settings of the gasless-vote relayer: its funded key and its per-address rate limit.

RELAYER_PRIVATE_KEY is the key that pays the gas of relayed votes. On the
local chain (CHAIN_ID 31337) it defaults to anvil's account 19 (from anvil's
public test mnemonic), so `coop up` relays out of the box; on any other chain
there is no default and gasless voting is off until the key is configured.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache

from eth_account import Account

from coop_dashboard.errors import CoopError

LOCAL_CHAIN_ID = 31337
ANVIL_MNEMONIC = "test test test test test test test test test test test junk"
ANVIL_RELAYER_INDEX = 19  # the last default account: seeding and tests use the first ones
DEFAULT_MAX_PER_HOUR = 20


class RelayerConfigError(CoopError):
    """RELAYER_* environment variables that cannot be used."""


@dataclass(frozen=True)
class RelayerConfig:
    # None: gasless voting is not available. Kept out of repr() so a logged or
    # printed config (or a traceback's locals) never shows the key.
    private_key: str | None = field(repr=False)
    max_per_hour: int

    @property
    def enabled(self) -> bool:
        return self.private_key is not None


@cache
def anvil_key(index: int = ANVIL_RELAYER_INDEX) -> str:
    """The well-known private key of anvil's default account `index` (m/44'/60'/0'/0/index)."""
    Account.enable_unaudited_hdwallet_features()
    account = Account.from_mnemonic(ANVIL_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")
    return "0x" + bytes(account.key).hex()


def load_relayer_config(chain_id: int, environ: dict[str, str] | None = None) -> RelayerConfig:
    env = os.environ if environ is None else environ
    key = env.get("RELAYER_PRIVATE_KEY", "").strip() or None
    if key is None and chain_id == LOCAL_CHAIN_ID:
        key = anvil_key()
    if key is not None:
        try:
            Account.from_key(key)
        except (ValueError, TypeError) as exc:
            raise RelayerConfigError("RELAYER_PRIVATE_KEY is not a valid private key.") from exc
    raw_limit = env.get("RELAYER_MAX_PER_HOUR", "").strip()
    try:
        limit = int(raw_limit) if raw_limit else DEFAULT_MAX_PER_HOUR
    except ValueError as exc:
        raise RelayerConfigError("RELAYER_MAX_PER_HOUR must be a whole number.") from exc
    if limit < 1:
        raise RelayerConfigError("RELAYER_MAX_PER_HOUR must be at least 1.")
    return RelayerConfig(key, limit)
