"""server_render.js in Node: the store a server-rendered page starts from."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from coop_dashboard.api.server_render import state_script
from coop_dashboard.frontend.server_render import HELPER_SOURCE, STATE_ELEMENT_ID
from tests.unit.frontend.node_driver import run_driver

INITIAL = {
    "root": {"is_hydrated": False},
    "root.feed": {"cards": [], "total": 0, "loaded": False},
    "root.overview": {"count": "-"},
    "root.wallet": {"account": ""},
}

DRIVER = """
import * as rendered from "./server_render.mjs";

const [scenario, elementText, initialText] = process.argv.slice(2);
const initial = JSON.parse(initialText);
const out = {};
if (scenario === "server") {
  out.outside = rendered.serverRenderedState(initial, "root.feed");
  globalThis.__coopServerRender = { states: JSON.parse(elementText), merged: {} };
  out.feed = rendered.serverRenderedState(initial, "root.feed");
  out.same = rendered.serverRenderedState(initial, "root.feed") === out.feed;
  out.overview = rendered.serverRenderedState(initial, "root.overview");
  out.unknown = rendered.serverRenderedState(initial, "root.nowhere") ?? null;
} else {
  const element = elementText === "none" ? null : { textContent: elementText };
  globalThis.document = { getElementById: (id) => (id === "%ID%" ? element : null) };
  out.store = rendered.withServerRendered(initial);
  out.untouched = out.store === initial;
}
console.log(JSON.stringify(out));
""".replace("%ID%", STATE_ELEMENT_ID)


def _node(tmp_path: Path, scenario: str, element: str) -> Any:
    modules = {"server_render.mjs": HELPER_SOURCE.read_text()}
    args = (scenario, element, json.dumps(INITIAL))
    return run_driver(tmp_path, modules, DRIVER, *args)


def _element_text(states: dict[str, Any]) -> str:
    """What the browser reads as the script element's text (the page's escaped JSON)."""
    script = state_script(json.dumps(states))
    return script[script.index(">") + 1 : script.rindex("</script>")]


def test_the_store_starts_from_the_rendered_states_over_the_defaults(tmp_path: Path) -> None:
    title = "</script><script>alert(1)</script> <!-- \u2028 & \x00"
    states = {"root.feed": {"cards": [{"title": title}], "total": 1, "loaded": True}}
    out = _node(tmp_path, "client", _element_text(states))
    assert out["store"]["root.feed"] == {"cards": [{"title": title}], "total": 1, "loaded": True}
    assert out["store"]["root.overview"] == INITIAL["root.overview"]
    assert out["store"]["root"] == INITIAL["root"]


def test_a_var_the_render_left_out_keeps_its_default(tmp_path: Path) -> None:
    out = _node(tmp_path, "client", _element_text({"root.feed": {"total": 7}}))
    assert out["store"]["root.feed"] == {"cards": [], "total": 7, "loaded": False}


def test_states_the_frontend_does_not_have_or_that_are_not_objects_are_ignored(
    tmp_path: Path,
) -> None:
    states = {"root.nowhere": {"x": 1}, "root.overview": [1, 2], "root.wallet": None}
    out = _node(tmp_path, "client", _element_text(states))
    assert out["store"] == INITIAL


@pytest.mark.parametrize("element", ["none", "{not json", "[1, 2]", "null", '"text"'])
def test_a_page_without_a_usable_state_starts_from_the_defaults(
    tmp_path: Path, element: str
) -> None:
    out = _node(tmp_path, "client", element)
    assert out["untouched"] is True


def test_the_server_store_reads_the_state_of_the_render_in_progress(tmp_path: Path) -> None:
    out = _node(tmp_path, "server", json.dumps({"root.feed": {"total": 3}, "root.nowhere": {}}))
    assert out["outside"] == INITIAL["root.feed"]
    assert out["feed"] == {"cards": [], "total": 3, "loaded": False}
    # One object per state and render: React compares snapshots by identity.
    assert out["same"] is True
    assert out["overview"] == INITIAL["root.overview"]
    assert out["unknown"] is None
