"""The early-hydrate plugin's splices into Reflex's state.js, and its helper module."""

from __future__ import annotations

from pathlib import Path

import pytest

from coop_dashboard.frontend.early_hydrate import (
    MARKER,
    ROUTES_PLACEHOLDER,
    SPLICES,
    TEMPLATE_STATE_JS,
    TemplateChanged,
    _patched_state_js,
    helper_js,
    patch_state_js,
)


def test_every_splice_lands_once_in_this_reflex_version() -> None:
    template = TEMPLATE_STATE_JS.read_text()
    patched = patch_state_js(template)
    for before, after in SPLICES:
        assert template.count(before) == 1
        assert patched.count(after) == 1
    assert patched.count(MARKER) == len(SPLICES)
    # The calls the helper module expects are all there.
    for call in ("startEarlyHydrate(", "hydratedEarly(socket.current)", "adoptEarlyHydrate("):
        assert call in patched


def test_the_mounted_app_still_connects_a_socket_that_did_not_hydrate_early() -> None:
    patched = patch_state_js(TEMPLATE_STATE_JS.read_text())
    # Reflex's own path is kept whole for the other case: its hydrate and its connect.
    assert "    socket.current.auth = bootAuth(true);\n" in patched
    assert "  } else {\n    socket.current.connect();\n  }\n" in patched


def test_a_changed_template_fails_the_build_instead_of_shipping_half_a_patch() -> None:
    template = TEMPLATE_STATE_JS.read_text()
    missing = template.replace("  socket.current.auth = bootAuth(true);\n", "")
    with pytest.raises(TemplateChanged, match="0 copies"):
        patch_state_js(missing)
    doubled = template + SPLICES[0][0]
    with pytest.raises(TemplateChanged, match="2 copies"):
        patch_state_js(doubled)


def test_a_rebuild_patches_reflexs_template_again_not_the_patched_file(tmp_path: Path) -> None:
    template = tmp_path / "state.js"
    template.write_text(TEMPLATE_STATE_JS.read_text())
    first = _patched_state_js(template.read_text(), template)
    # .web keeps the patched file between builds: patching it again changes nothing.
    assert _patched_state_js(first, template) == first
    assert first.count(MARKER) == len(SPLICES)


def test_a_state_js_changed_by_someone_else_is_refused(tmp_path: Path) -> None:
    template = tmp_path / "state.js"
    template.write_text(TEMPLATE_STATE_JS.read_text())
    with pytest.raises(TemplateChanged, match="neither"):
        _patched_state_js(template.read_text() + "\n// another plugin\n", template)


def test_the_helper_gets_the_apps_routes() -> None:
    source = helper_js(["proposals/[proposal_id]", "index"])
    assert ROUTES_PLACEHOLDER not in source
    assert 'const ROUTES = ["index", "proposals/[proposal_id]"];' in source
