"""The colour mode's class lives on <html> only: the root theme is not restyled at mount.

Reflex's colour-mode provider added "light"/"dark" to the root Radix theme once
React had mounted, restyling the whole page mid-load;
coop_dashboard/frontend/theme_root_class.py replaces it. The first test fails
without the plugin; the others check that both colour modes still reach the page.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.app_server import AppServer
from tests.e2e.flows import STEP_TIMEOUT_MS

pytestmark = pytest.mark.e2e

ROOT_THEME = '.radix-themes[data-is-root-theme="true"]'

# Installed before the page's scripts: every class change of the root theme element.
_WATCH_ROOT_CLASS_JS = f"""
window.__rootClassChanges = [];
new MutationObserver((mutations) => {{
  for (const m of mutations) {{
    if (m.target.matches && m.target.matches({ROOT_THEME!r})) {{
      window.__rootClassChanges.push([m.oldValue, m.target.className]);
    }}
  }}
}}).observe(document, {{ attributes: true, subtree: true, attributeOldValue: true,
                        attributeFilter: ["class"] }});
"""

# The page's background token, as the root theme resolves it: white in light mode.
_BACKGROUND_JS = "(root) => getComputedStyle(root).getPropertyValue('--color-background').trim()"
_LUMINANCE_JS = """(root) => {
  const probe = document.createElement('div');
  probe.style.background = 'var(--color-background)';
  root.appendChild(probe);
  const [r, g, b] = getComputedStyle(probe).backgroundColor.match(/\\d+/g).map(Number);
  probe.remove();
  return (r + g + b) / 3;
}"""


def test_the_root_theme_keeps_its_class_through_a_cold_load(
    seeded_app: AppServer, page: Page
) -> None:
    page.add_init_script(_WATCH_ROOT_CLASS_JS)
    page.goto(seeded_app.url + "/proposals")
    expect(page.locator("#feed-list .state-badge").first).to_be_visible(timeout=STEP_TIMEOUT_MS)
    page.wait_for_timeout(1_000)  # mount effects included
    assert page.evaluate("window.__rootClassChanges") == []
    assert page.evaluate("document.documentElement.classList.contains('light')")
    root = page.locator(ROOT_THEME)
    assert root.evaluate(_LUMINANCE_JS) > 240  # light: a white page


def test_the_colour_mode_toggle_still_darkens_the_page(seeded_app: AppServer, page: Page) -> None:
    page.goto(seeded_app.url + "/proposals")
    root = page.locator(ROOT_THEME)
    expect(page.locator("#feed-list .state-badge").first).to_be_visible(timeout=STEP_TIMEOUT_MS)
    light = root.evaluate(_BACKGROUND_JS)
    page.locator("#color-mode-toggle").click()
    expect(page.locator("html")).to_have_class("dark", timeout=STEP_TIMEOUT_MS)
    assert root.evaluate(_BACKGROUND_JS) != light
    assert root.evaluate(_LUMINANCE_JS) < 60  # dark: a near-black page
    # The choice is kept: the next load is dark from its first paint (Reflex's head script).
    page.add_init_script(_WATCH_ROOT_CLASS_JS)
    page.reload()
    expect(page.locator("html")).to_have_class("dark", timeout=STEP_TIMEOUT_MS)
    assert root.evaluate(_LUMINANCE_JS) < 60
    page.locator("#color-mode-toggle").click()
    expect(page.locator("html")).to_have_class("light", timeout=STEP_TIMEOUT_MS)
    assert root.evaluate(_LUMINANCE_JS) > 240
    assert page.evaluate("window.__rootClassChanges") == []
