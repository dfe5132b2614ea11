"""Adaptive block ranges for eth_getLogs (web3.py EventScanner's idea, sized by logs).

A range costs roughly its number of logs, not its number of blocks: aim each
request at `target_logs`, growing fast over empty history and shrinking when a
request fails (too many results, timeout, response too large).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class ChunkSizer:
    """The number of blocks to ask for next."""

    size: int = 1_000
    min_size: int = 1
    max_size: int = 100_000
    target_logs: int = 10_000
    target_seconds: float = 2.0

    def __post_init__(self) -> None:
        self.min_size = max(1, min(self.min_size, self.max_size))
        self.size = self._clamp(self.size)

    def _clamp(self, size: int) -> int:
        return max(self.min_size, min(self.max_size, size))

    def succeeded(self, blocks: int, logs: int, seconds: float) -> None:
        """Resize after a range of `blocks` returned `logs` in `seconds`."""
        if blocks < self.size and logs < self.target_logs:
            return  # a short range at the head says nothing about density
        by_logs = blocks * self.target_logs / max(logs, 1)
        by_time = blocks * self.target_seconds / max(seconds, 1e-3)
        wanted = min(by_logs, by_time)
        # At most x2 up (history is rarely uniform: a quiet stretch says little
        # about the next one, and a range overshooting the target is written
        # without overlap with the next fetch) and /4 down per step.
        self.size = self._clamp(int(max(blocks / 4, min(blocks * 2, wanted))))

    def failed(self) -> bool:
        """Halve after a failed request; False when already at the minimum."""
        if self.size <= self.min_size:
            return False
        self.size = self._clamp(self.size // 2)
        return True
