"""A real follower in a thread with a faulty handler registered beside the real ones."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from coop_dashboard.config import Settings
from coop_dashboard.indexer.config import IndexerConfig
from coop_dashboard.indexer.decoders import DecodedLog
from coop_dashboard.indexer.handlers.default import build_default_registry
from coop_dashboard.indexer.handlers.registry import HandlerContext, HandlerRegistry, RowSink
from coop_dashboard.indexer.service import follow

# Short waits, so a test sees several retries (and their growing backoff) in seconds.
FAST_RETRIES = IndexerConfig(backoff_initial_s=0.05, backoff_max_s=0.4, poll_interval_s=0.05)


class Fault:
    """A handler that fails (through `make_error`) while `active`."""

    def __init__(self, make_error: Callable[[DecodedLog, RowSink], None]) -> None:
        self.active = True
        self._make_error = make_error

    def __call__(self, log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
        if self.active:
            self._make_error(log, sink)


def raise_key_error(_log: DecodedLog, _sink: RowSink) -> None:
    raise KeyError("missing_argument")


def registry_with(
    fault: Fault, contract: str = "CoopGovernor", event: str = "VoteCast"
) -> HandlerRegistry:
    registry = build_default_registry()
    registry.register(contract, event, fault)
    return registry


@contextmanager
def following(
    settings: Settings, registry: HandlerRegistry, config: IndexerConfig = FAST_RETRIES
) -> Iterator[threading.Thread]:
    """`follow` (the loop `coop index` runs) in a thread until the block ends."""
    stop = threading.Event()
    thread = threading.Thread(target=follow, args=(settings, config, stop, registry), daemon=True)
    thread.start()
    try:
        yield thread
    finally:
        stop.set()
        thread.join(timeout=30)
