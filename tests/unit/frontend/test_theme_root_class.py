"""The theme-root-class plugin's replacement of Reflex's colour-mode provider."""

from __future__ import annotations

from pathlib import Path

import pytest

from coop_dashboard.frontend.theme_root_class import (
    EXPECTED_EFFECT,
    MARKER,
    REPLACEMENT,
    TEMPLATE_PROVIDER_JS,
    TemplateChanged,
    replaced_provider,
)


def test_this_reflex_versions_provider_sets_the_class_the_plugin_takes_out() -> None:
    template = TEMPLATE_PROVIDER_JS.read_text()
    assert template.count(EXPECTED_EFFECT) == 1
    replaced = replaced_provider(template)
    assert replaced == REPLACEMENT
    assert "classList" not in replaced
    # root.jsx imports the module's default export and renders it around the app.
    assert "export default function RadixThemesColorModeProvider({ children })" in replaced
    assert "return children;" in replaced


def test_a_rebuild_keeps_the_replacement(tmp_path: Path) -> None:
    template = tmp_path / "provider.js"
    template.write_text(TEMPLATE_PROVIDER_JS.read_text())
    first = replaced_provider(template.read_text(), template)
    assert replaced_provider(first, template) == first
    assert first.count(MARKER) == 1


def test_a_changed_template_fails_the_build(tmp_path: Path) -> None:
    template = tmp_path / "provider.js"
    template.write_text(TEMPLATE_PROVIDER_JS.read_text().replace(EXPECTED_EFFECT, ""))
    with pytest.raises(TemplateChanged, match="no longer sets the root theme's class"):
        replaced_provider(template.read_text(), template)


def test_a_provider_changed_by_someone_else_is_refused(tmp_path: Path) -> None:
    template = tmp_path / "provider.js"
    template.write_text(TEMPLATE_PROVIDER_JS.read_text())
    with pytest.raises(TemplateChanged, match="neither Reflex's template nor ours"):
        replaced_provider("export default () => null;\n", template)
