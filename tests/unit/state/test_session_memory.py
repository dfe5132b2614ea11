"""What a tab's state tree costs in a worker: every tab holds every state of the app.

Without REDIS_URL each tab's whole tree stays in the worker's memory, and hydrate
reads every var of every substate (filling each default), whichever page the tab
shows. An empty view holding a go.Figure cost ~100 KB per figure per tab when its
default was deep-copied (benchmarks/session_memory.py: 346 KB per tab before,
30 KB after sharing the empty views).
"""

from __future__ import annotations

import gc
import importlib
import pkgutil
import tracemalloc
from dataclasses import replace

from reflex.state import State

import coop_dashboard.state
from coop_dashboard.services.datasets.page_view import DatasetPageView
from coop_dashboard.services.treasury.view import TreasuryView
from coop_dashboard.state.dataset_page import DatasetPageState
from coop_dashboard.state.treasury import TreasuryState

TABS = 20
# Measured 30 KB per tab with 29 states; 346 KB with the copied go.Figure defaults.
MAX_HYDRATED_KB_PER_TAB = 120


def _import_every_state() -> int:
    for module in pkgutil.iter_modules(coop_dashboard.state.__path__):
        importlib.import_module(f"coop_dashboard.state.{module.name}")
    return len(State.get_substates())


def _tab() -> State:
    root = State(_reflex_internal_init=True)  # type: ignore[call-arg]
    root.dict()  # what hydrate_and_load does on every connect
    return root


def test_a_hydrated_tab_holds_no_copied_figures() -> None:
    assert _import_every_state() > 20
    _tab()  # Reflex fills per-class caches on the first tab
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tabs = [_tab() for _ in range(TABS)]
        gc.collect()
        per_tab_kb = (tracemalloc.get_traced_memory()[0] - before) / TABS / 1024
    finally:
        tracemalloc.stop()
    assert len(tabs) == TABS
    assert per_tab_kb < MAX_HYDRATED_KB_PER_TAB, f"{per_tab_kb:.0f} KB per tab"


def test_tabs_share_the_empty_views_and_a_new_view_replaces_them() -> None:
    first, second = _tab(), _tab()
    cases: list[tuple[type[State], object, str]] = [
        (TreasuryState, TreasuryView(), "as_of"),
        (DatasetPageState, DatasetPageView(), "name"),
    ]
    for cls, empty, text_field in cases:
        one, two = first.substates[cls.get_name()], second.substates[cls.get_name()]
        assert vars(one)["view"] is vars(two)["view"]
        assert vars(one)["view"] == empty  # the value each tab's own copy had before
        one.view = replace(vars(one)["view"], **{text_field: "shown"})  # type: ignore[attr-defined]
        assert getattr(vars(one)["view"], text_field) == "shown"
        assert vars(two)["view"] == empty  # the other tab, and the shared default, unchanged
        assert vars(_tab().substates[cls.get_name()])["view"] == empty
