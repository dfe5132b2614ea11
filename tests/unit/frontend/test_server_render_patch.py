"""The server-render plugin's splices into the context module Reflex compiles."""

from __future__ import annotations

import pytest
from reflex_base.compiler.templates import context_template

from coop_dashboard.frontend.server_render import MARKER, SPLICES, TemplateChanged, patch_context


def _compiled_context() -> str:
    """utils/context.jsx as this Reflex version compiles it for an app with states."""
    return context_template(
        is_dev_mode=False,
        default_color_mode='"light"',
        initial_state={"reflex___state____state": {"is_hydrated_rx_state_": False}},
        initial_state_hashes=["names", "root"],
        state_name="reflex___state____state",
        state_schema="schema",
        client_storage={"cookies": {}, "local_storage": {}, "session_storage": {}},
    )


def test_every_splice_lands_once_in_this_reflex_version() -> None:
    compiled = _compiled_context()
    patched = patch_context(compiled)
    for before, after in SPLICES:
        assert compiled.count(before) == 1
        assert patched.count(after) == 1
    assert patched.count(MARKER) == len(SPLICES)
    for call in (
        "withServerRendered(initialState)",
        "serverRenderedState(initialState, substateName)",
    ):
        assert call in patched


def test_a_changed_context_fails_the_build_instead_of_shipping_half_a_patch() -> None:
    compiled = _compiled_context()
    with pytest.raises(TemplateChanged, match="0 copies"):
        patch_context(compiled.replace(SPLICES[2][0], ""))
    with pytest.raises(TemplateChanged, match="2 copies"):
        patch_context(compiled + SPLICES[1][0])


def test_a_context_patched_already_is_refused() -> None:
    with pytest.raises(TemplateChanged, match="patched already"):
        patch_context(patch_context(_compiled_context()))
