"""Plain elements drawn in Radix Themes' classes (components/radix_classes.py) look like
Radix's own components: every class they use is in the page's stylesheet, and a feed
card is boxed, spaced and colored as an rx.card beside it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from coop_dashboard.components import radix_classes as rc
from tests.e2e.app_server import AppServer
from tests.e2e.flows import STEP_TIMEOUT_MS

pytestmark = pytest.mark.e2e

USED_CLASSES = sorted(
    {
        token
        for classes in (
            rc.CARD,
            rc.TEXT_1,
            rc.TEXT_1_MEDIUM,
            rc.HEADING_4,
            rc.BADGE_1_SOFT,
            rc.CODE_2_GHOST,
            rc.ICON_BUTTON_1_GHOST,
            rc.SPACER,
            rc.FILL,
            rc.row("1", align="center"),
            rc.row("2", align="center"),
            rc.row("3", align="center", wrap=True),
            rc.column("1"),
            rc.column("3"),
            rc.GRID_1_2_4,
            rc.SELECT_2_SURFACE,
        )
        for token in classes.split()
    }
)

_DEFINED_CLASSES_JS = """
(tokens) => {
  const selectors = [];
  const walk = (rules) => {
    for (const rule of rules) {
      if (rule.selectorText) selectors.push(rule.selectorText);
      if (rule.cssRules) walk(rule.cssRules);
    }
  };
  for (const sheet of document.styleSheets) {
    try { walk(sheet.cssRules); } catch { /* another origin's sheet */ }
  }
  const text = selectors.join(" ");
  return tokens.filter((token) => !text.includes("." + CSS.escape(token)));
}
"""

# The computed values of the named style properties.
_STYLE_JS = "(element, names) => names.map((name) => getComputedStyle(element)[name])"
BOX = ["paddingTop", "paddingLeft", "borderTopLeftRadius", "display"]
TRIGGER_BOX = ["height", "borderTopLeftRadius", "fontSize", "paddingLeft"]


def test_every_radix_class_the_plain_elements_use_is_in_the_stylesheet(
    seeded_app: AppServer, page: Page
) -> None:
    page.goto(seeded_app.url + "/proposals")
    expect(page.locator(".proposal-card").first).to_be_visible(timeout=STEP_TIMEOUT_MS)
    assert page.evaluate(_DEFINED_CLASSES_JS, USED_CLASSES) == []


def test_a_feed_card_is_drawn_as_a_radix_card(seeded_app: AppServer, page: Page) -> None:
    page.goto(seeded_app.url + "/proposals")
    card = page.locator(".proposal-card").first
    expect(card).to_be_visible(timeout=STEP_TIMEOUT_MS)
    # The overview's section cards are rx.card: same padding, radius and layout.
    own = card.evaluate(_STYLE_JS, BOX)
    page.goto(seeded_app.url + "/")
    radix_card = page.locator(".rt-Card.rt-r-size-1:not(.proposal-card)").first
    expect(radix_card).to_be_visible(timeout=STEP_TIMEOUT_MS)
    assert own == radix_card.evaluate(_STYLE_JS, BOX)
    assert own[0] != "0px"


def test_a_state_badge_wears_its_states_color(seeded_app: AppServer, page: Page) -> None:
    page.goto(seeded_app.url + "/proposals")
    active = page.locator('.proposal-card[data-state="Active"] .state-badge')
    defeated = page.locator('.proposal-card[data-state="Defeated"] .state-badge')
    expect(active).to_have_attribute("data-accent-color", "blue", timeout=STEP_TIMEOUT_MS)
    expect(defeated).to_have_attribute("data-accent-color", "red")
    colors = [
        badge.evaluate("(e) => getComputedStyle(e).backgroundColor") for badge in (active, defeated)
    ]
    assert colors[0] != colors[1]
    assert "0, 0, 0, 0" not in colors[0]


def test_a_list_filter_is_a_native_select_drawn_as_radixs_trigger(
    seeded_app: AppServer, page: Page
) -> None:
    page.goto(seeded_app.url + "/proposals")
    state = page.locator("#feed-state")
    expect(state).to_have_value("all", timeout=STEP_TIMEOUT_MS)
    assert state.evaluate("(e) => e.tagName") == "SELECT"
    expect(page.get_by_label("Proposal state")).to_have_id("feed-state")
    assert "linear-gradient" in state.evaluate("(e) => getComputedStyle(e).backgroundImage")
    own = state.evaluate(_STYLE_JS, TRIGGER_BOX)
    # The treasury's asset picker is Radix's own (rx.select): same size 2 trigger.
    page.goto(seeded_app.url + "/treasury")
    radix_trigger = page.locator("button.rt-SelectTrigger.rt-r-size-2").first
    expect(radix_trigger).to_be_visible(timeout=STEP_TIMEOUT_MS)
    assert own == radix_trigger.evaluate(_STYLE_JS, TRIGGER_BOX)
