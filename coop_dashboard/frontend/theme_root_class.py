"""A Reflex plugin: the colour mode stays on <html>; the root theme no longer repeats it.

Reflex wraps every app in `RadixThemesColorModeProvider`, whose effect adds the
resolved colour mode ("light"/"dark") as a class to the root Radix theme element
once React has mounted. Reflex's head script and its ThemeProvider already keep
that class on <html> from before the first paint, and Radix Themes' tokens follow
it there: the root theme inherits them (`.light` on <html>, `:is(.dark) :where(
.radix-themes:not(.light))` for dark). Repeating the class on the root element
re-declares ~1,700 colour tokens there, so the whole page's style is computed
again mid-load, between React's mount and the page's data: 22 ms per change on
/proposals' 625 elements on a slow host.

The provider's module is replaced with one that renders its children only. The
replacement is made from Reflex's own template, which must read as expected: a
Reflex upgrade that changes it fails the build here (`TemplateChanged`), and the
change is reviewed instead of silently shipped. Taking the plugin out of
rxconfig.py leaves the replaced file in `.web`: delete `.web` then.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reflex_base.constants import Templates
from reflex_base.plugins.base import Plugin

from coop_dashboard.frontend.templates import TemplateChanged

PROVIDER_JS = "components/reflex/radix_themes_color_mode_provider.js"
TEMPLATE_PROVIDER_JS = Templates.Dirs.WEB_TEMPLATE / PROVIDER_JS
MARKER = "// coop_dashboard theme root class"

# What the provider does in Reflex's template: the class it sets on the root theme.
EXPECTED_EFFECT = (
    '      radixRoot.classList.remove("light", "dark");\n'
    "      radixRoot.classList.add(resolvedTheme);\n"
)

REPLACEMENT = f"""{MARKER}: coop_dashboard/frontend/theme_root_class.py
// The colour mode's class stays on <html> (Reflex's head script sets it before the
// first paint, ThemeProvider keeps it); the root theme inherits Radix's tokens from
// there. Adding the class to the root theme too restyled the whole page at mount.
export default function RadixThemesColorModeProvider({{ children }}) {{
  return children;
}}
"""


def replaced_provider(current: str, template_path: Path = TEMPLATE_PROVIDER_JS) -> str:
    """The provider module for `.web`, given what `.web` holds now."""
    template = template_path.read_text()
    if template.count(EXPECTED_EFFECT) != 1:
        raise TemplateChanged(
            f"Reflex's {PROVIDER_JS} no longer sets the root theme's class as expected:\n"
            f"{EXPECTED_EFFECT}Update coop_dashboard/frontend/theme_root_class.py."
        )
    if current not in (template, REPLACEMENT):
        # Another plugin or a hand edit changed it: replacing it would drop that.
        raise TemplateChanged(f"{PROVIDER_JS} in .web is neither Reflex's template nor ours")
    return REPLACEMENT


class ThemeRootClassPlugin(Plugin):
    """Leaves the colour mode's class on <html> only (see the module's docstring)."""

    def pre_compile(self, **context: Any) -> None:
        context["add_modify_task"](PROVIDER_JS, replaced_provider)
