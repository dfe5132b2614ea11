"""Settings of the gasless relayer: its funded key and its limits (the one place for them).

RELAYER_PRIVATE_KEY is the key that pays the gas of relayed signatures. On the
local chain (CHAIN_ID 31337) it defaults to anvil's account 19 (from anvil's
public test mnemonic), so `coop up` relays out of the box; on any other chain
there is no default and gasless voting is off until the key is configured.

Limits: RELAYER_MAX_PER_HOUR relays per signer, RELAYER_MAX_WEI_PER_HOUR spent
by the relayer in all (both counted in the database every worker shares), and
RELAYER_MIN_BALANCE_WEI, the balance under which the relayer stops relaying.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

from eth_account import Account

from coop_dashboard.errors import CoopError

LOCAL_CHAIN_ID = 31337
ANVIL_MNEMONIC = "test test test test test test test test test test test junk"
ANVIL_RELAYER_INDEX = 19  # the last default account: seeding and tests use the first ones
RELAY_WINDOW_S = 3_600.0  # every relayer limit counts over the last hour
DEFAULT_MAX_PER_HOUR = 20  # relays per signer address
# ~1,000 relayed votes (castVoteBySig ~98k gas) at 1 gwei; ~30 at 30 gwei.
DEFAULT_MAX_WEI_PER_HOUR = 10**17  # 0.1 ETH
DEFAULT_MIN_BALANCE_WEI = 10**16  # 0.01 ETH


class RelayerConfigError(CoopError):
    """RELAYER_* environment variables that cannot be used."""


@dataclass(frozen=True)
class RelayLimits:
    """What the relayer may do per hour, and the balance it keeps."""

    max_per_hour: int = DEFAULT_MAX_PER_HOUR
    max_wei_per_hour: int = DEFAULT_MAX_WEI_PER_HOUR
    min_balance_wei: int = DEFAULT_MIN_BALANCE_WEI
    window_s: float = RELAY_WINDOW_S


@dataclass(frozen=True)
class RelayerConfig:
    # None: gasless voting is not available. Kept out of repr() so a logged or
    # printed config (or a traceback's locals) never shows the key.
    private_key: str | None = field(repr=False)
    limits: RelayLimits = RelayLimits()

    @property
    def enabled(self) -> bool:
        return self.private_key is not None

    @property
    def max_per_hour(self) -> int:
        return self.limits.max_per_hour


@cache
def anvil_key(index: int = ANVIL_RELAYER_INDEX) -> str:
    """The well-known private key of anvil's default account `index` (m/44'/60'/0'/0/index)."""
    Account.enable_unaudited_hdwallet_features()
    account = Account.from_mnemonic(ANVIL_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")
    return "0x" + bytes(account.key).hex()


def _whole_number(env: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = env.get(name, "").strip()
    try:
        value = int(raw) if raw else default
    except ValueError as exc:
        raise RelayerConfigError(f"{name} must be a whole number.") from exc
    if value < minimum:
        raise RelayerConfigError(f"{name} must be at least {minimum}.")
    return value


def load_relayer_config(chain_id: int, environ: Mapping[str, str] | None = None) -> RelayerConfig:
    env = os.environ if environ is None else environ
    key = env.get("RELAYER_PRIVATE_KEY", "").strip() or None
    if key is None and chain_id == LOCAL_CHAIN_ID:
        key = anvil_key()
    if key is not None:
        try:
            Account.from_key(key)
        except (ValueError, TypeError) as exc:
            raise RelayerConfigError("RELAYER_PRIVATE_KEY is not a valid private key.") from exc
    limits = RelayLimits(
        max_per_hour=_whole_number(env, "RELAYER_MAX_PER_HOUR", DEFAULT_MAX_PER_HOUR, 1),
        max_wei_per_hour=_whole_number(
            env, "RELAYER_MAX_WEI_PER_HOUR", DEFAULT_MAX_WEI_PER_HOUR, 1
        ),
        min_balance_wei=_whole_number(env, "RELAYER_MIN_BALANCE_WEI", DEFAULT_MIN_BALANCE_WEI, 0),
    )
    return RelayerConfig(key, limits)
