"""Memory per tab of the app's Reflex state tree, broken down by state class and var.

    .venv/bin/python benchmarks/session_memory.py [--tabs 100] [--top 25]

What a connected tab holds in a worker (without REDIS_URL Reflex's disk state manager
keeps every tab's whole state tree in memory for the token expiration, an hour): the
root state created with `_reflex_internal_init=True` (every substate of the app
instantiated), then `hydrate_and_load`'s `self.dict()` of the whole tree, which
stores each var's default (fields are filled on first read) and each cached
computed var's value on every instance. This script does exactly those two steps
for N tabs and measures them with tracemalloc, beside the same two steps for a
trivial Reflex state tree measured in the same run (a root with one int var): the
framework's floor.

Not measured here (benchmarks/load.py measures the whole server): what the page's
on_load reads (the feed's cards are shared with the live hub's cache; a proposal
page's view), socket.io/engine.io session objects, the live-data follower task.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tracemalloc
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

KB = 1024


def tree(state: Any) -> Iterator[Any]:
    yield state
    for substate in state.substates.values():
        yield from tree(substate)


def measure(make: Callable[[], Any], tabs: int) -> tuple[float, float, list[Any]]:
    """Bytes per tab: creating the root state tree, then its full dict() (the hydrate)."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    roots = [make() for _ in range(tabs)]
    gc.collect()
    created = tracemalloc.get_traced_memory()[0]
    for root in roots:
        root.dict()
    gc.collect()
    hydrated = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return (created - before) / tabs, (hydrated - created) / tabs, roots


def per_var(roots: list[Any]) -> dict[tuple[str, str], float]:
    """Bytes per tab each stored value adds (var defaults, computed var caches), by state."""
    sizes: dict[tuple[str, str], float] = defaultdict(float)
    # Re-create and hydrate state by state, var by var, so each allocation is attributed.
    gc.collect()
    tracemalloc.start()
    for root in roots:
        for state in tree(root):
            name = type(state).__name__
            values = dict(vars(state))
            vars(state).clear()
            for key in values:
                before = tracemalloc.get_traced_memory()[0]
                _read(state, key)
                sizes[(name, key)] += tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return {key: size / len(roots) for key, size in sizes.items()}


def _read(state: Any, key: str) -> None:
    cls = type(state)
    field = cls.__fields__.get(key)
    if field is not None:
        field._get_raw(state)
        return
    # A computed var's cache attribute: recompute it through its var.
    for var in cls.computed_vars.values():
        if getattr(var, "_cache_attr", None) == key:
            getattr(state, var._name)
            return


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tabs", type=int, default=100)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()

    import reflex as rx

    def app_root() -> Any:
        return rx.State(_reflex_internal_init=True)

    # Before the app is imported rx.State has only Reflex's own substates. One
    # unmeasured round first: Reflex fills per-class caches on the first instance.
    measure(app_root, 2)
    created, hydrated, roots = measure(app_root, args.tabs)
    count = sum(1 for _ in tree(roots[0]))
    print(
        f"Reflex alone ({count:>2} states): created {created / KB:6.1f} KB, "
        f"hydrated +{hydrated / KB:6.1f} KB per tab; total {(created + hydrated) / KB:6.1f} KB"
    )
    del roots

    import coop_dashboard.coop_dashboard  # noqa: F401  (registers every page and state)

    measure(app_root, 2)
    created, hydrated, roots = measure(app_root, args.tabs)
    count = sum(1 for _ in tree(roots[0]))
    print(
        f"the app     ({count:>2} states): created {created / KB:6.1f} KB, "
        f"hydrated +{hydrated / KB:6.1f} KB per tab; total {(created + hydrated) / KB:6.1f} KB"
    )

    sizes = per_var(roots[: min(len(roots), 50)])
    by_state: dict[str, float] = defaultdict(float)
    for (state, _), size in sizes.items():
        by_state[state] += size
    print(f"\nstored values per tab by state (sum {sum(sizes.values()) / KB:.1f} KB):")
    for state, size in sorted(by_state.items(), key=lambda item: -item[1]):
        if size >= 256:
            print(f"  {size / KB:8.1f} KB  {state}")
    print(f"\ntop {args.top} values per tab:")
    for (state, key), size in sorted(sizes.items(), key=lambda item: -item[1])[: args.top]:
        print(f"  {size / KB:8.1f} KB  {state}.{key}")


if __name__ == "__main__":
    main()
