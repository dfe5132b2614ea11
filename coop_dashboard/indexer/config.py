"""Indexer settings from the environment (on top of the app's Settings)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from coop_dashboard.errors import ConfigError


def _number(name: str, default: float, *, minimum: float = 0) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from exc
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {raw!r}")
    return value


@dataclass(frozen=True)
class IndexerConfig:
    """How the indexer follows the chain.

    confirmations: blocks behind the head the indexer stays (0 on a local chain;
        the reorg handling covers what still changes within `reorg_window`).
    reorg_window: how many recent block hashes are kept to find a fork point.
    poll_interval_s: pause between polls once caught up (head latency ~ this).
    backoff_initial_s / backoff_max_s: waits after an RPC or DB failure, doubling.
    initial_chunk / max_chunk / target_logs: eth_getLogs range sizing.
    track_eth_inflows: reconcile the treasury's ETH balance (needs past-block balances).
    rpc_timeout_s: per request.
    """

    confirmations: int = 0
    reorg_window: int = 128
    poll_interval_s: float = 0.25
    backoff_initial_s: float = 0.5
    backoff_max_s: float = 30.0
    initial_chunk: int = 10
    max_chunk: int = 100_000
    target_logs: int = 10_000
    track_eth_inflows: bool = True
    rpc_timeout_s: float = 20.0

    @classmethod
    def from_env(cls) -> IndexerConfig:
        """INDEXER_CONFIRMATIONS, INDEXER_REORG_WINDOW, INDEXER_POLL_INTERVAL,
        INDEXER_BACKOFF_MAX, INDEXER_TARGET_LOGS, INDEXER_INITIAL_CHUNK, INDEXER_MAX_CHUNK,
        INDEXER_RPC_TIMEOUT, INDEXER_TRACK_ETH (0 to skip ETH inflow reconciliation)."""
        defaults = cls()
        return cls(
            confirmations=int(_number("INDEXER_CONFIRMATIONS", defaults.confirmations)),
            reorg_window=int(_number("INDEXER_REORG_WINDOW", defaults.reorg_window, minimum=1)),
            poll_interval_s=_number(
                "INDEXER_POLL_INTERVAL", defaults.poll_interval_s, minimum=0.01
            ),
            backoff_initial_s=defaults.backoff_initial_s,
            backoff_max_s=_number("INDEXER_BACKOFF_MAX", defaults.backoff_max_s, minimum=0.1),
            target_logs=int(_number("INDEXER_TARGET_LOGS", defaults.target_logs, minimum=1)),
            initial_chunk=int(_number("INDEXER_INITIAL_CHUNK", defaults.initial_chunk, minimum=1)),
            max_chunk=int(_number("INDEXER_MAX_CHUNK", defaults.max_chunk, minimum=1)),
            track_eth_inflows=os.environ.get("INDEXER_TRACK_ETH", "1").strip() != "0",
            rpc_timeout_s=_number("INDEXER_RPC_TIMEOUT", defaults.rpc_timeout_s, minimum=0.1),
        )
