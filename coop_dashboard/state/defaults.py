"""`shared_default`: a state var default that every tab shares instead of copying.

Reflex deep-copies a var's default for every state instance that reads it unless the
default is a str/int/tuple/frozenset-like value, and hydrate reads every substate's
vars on every tab, whichever page it shows. For a view dataclass that held a
go.Figure that was ~100 KB per figure per tab (benchmarks/session_memory.py); the
views now hold Plotly JSON instead, and a shared default still saves the copy.

Only for values that are replaced whole and never changed in place; the app's views
already are (the live hub hands every tab following a key the same view object).
"""

from __future__ import annotations

from typing import TypeVar, cast

import reflex as rx

T = TypeVar("T")


def shared_default(value: T) -> T:
    """Declare a var whose default is `value` itself, shared by every tab (never copied)."""
    # rx.field is Reflex's field specifier (typed as a Field); the state's metaclass
    # reads the Field, the annotation stays the value's type for the pages' Vars.
    return cast(T, rx.field(default_factory=lambda: value))
