"""Plain elements drawn in Radix Themes' classes (components/radix_classes.py) look like
Radix's own components: every class they use is in the page's stylesheet, and a feed
card is boxed, spaced and colored as an rx.card beside it. The list pages' native
controls wait for hydration (components/filter_select.py)."""

from __future__ import annotations

import re

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


# Each list page and the text inputs of its filter row (its selects are all filters).
LIST_PAGE_INPUTS = {
    "/proposals": ["feed-search"],
    "/delegates": ["delegates-search"],
    "/jobs": ["job-search", "job-dataset", "job-min-bounty"],
    "/datasets": ["dataset-search"],
}


def _served_tags(html: str, tag: str) -> list[str]:
    return re.findall(rf"<{tag}\b[^>]*>", html)


@pytest.mark.parametrize("path", sorted(LIST_PAGE_INPUTS))
def test_a_list_pages_controls_are_off_until_the_page_is_hydrated(
    seeded_app: AppServer, page: Page, path: str
) -> None:
    # A native control works in the prerendered page before React can hear it: a
    # filter chosen then would leave the list unfiltered beside it. The served page
    # has them disabled; the hydrated page enables every one.
    served = page.request.get(seeded_app.url + path)
    assert served.ok
    html = served.text()
    selects = _served_tags(html, "select")
    inputs = [
        tag
        for tag in _served_tags(html, "input")
        if any(f'id="{name}"' in tag for name in LIST_PAGE_INPUTS[path])
    ]
    assert selects and len(inputs) == len(LIST_PAGE_INPUTS[path])
    assert all(re.search(r"\sdisabled\b", tag) for tag in selects + inputs), selects + inputs
    page.goto(seeded_app.url + path)
    controls = page.locator("select, " + ", ".join(f"#{n}" for n in LIST_PAGE_INPUTS[path]))
    expect(controls).to_have_count(len(selects) + len(inputs), timeout=STEP_TIMEOUT_MS)
    expect(page.locator("select:disabled, input:disabled")).to_have_count(
        0, timeout=STEP_TIMEOUT_MS
    )
