"""A Reflex plugin: pages can be rendered at request time with their first data in them.

Reflex prerenders each page once, at build time, with every state at its default:
a cold load then shows the page's frame, and its data only once the JavaScript has
loaded, React has hydrated the page, the websocket has opened and the hydrate has
been answered (~450-800 ms on this 2-core machine, most of it CPU the browser and
the server share). The backend now renders the page's HTML per request with the
state its on_load shows a visitor (api/server_render.py), so the data is in the first
paint. This plugin writes the two pieces of the frontend that takes part:

- `utils/server_render.js` (server_render.js beside this file): the browser's store
  starts from the state the HTML was rendered with, so React hydrates it without a
  mismatch; on the server, the store reads the state of the request being rendered;
- `coop_server_render.js` (server_render_server.js beside this file), at the root of
  the web folder: the renderer the backend runs with bun, over the build's server
  bundle (React Router keeps it in build/server after prerendering).

Two calls are spliced into the context module Reflex compiles (utils/context.jsx),
each naming the text it expects: a Reflex upgrade that changes that text fails the
build (`TemplateChanged`) instead of shipping a store that would not match the HTML.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reflex_base.plugins.base import Plugin

from coop_dashboard.frontend.templates import TemplateChanged, splice

CONTEXT_JSX = "utils/context.jsx"
HELPER_JS = "utils/server_render.js"
RENDERER_JS = "coop_server_render.js"
HELPER_SOURCE = Path(__file__).with_name("server_render.js")
RENDERER_SOURCE = Path(__file__).with_name("server_render_server.js")
# The id of the script element holding a page's server-rendered state (server_render.js).
STATE_ELEMENT_ID = "coop-server-state"
MARKER = "// coop_dashboard server render"

# (what Reflex's compiled context says, what it says after the patch), in file order.
SPLICES: tuple[tuple[str, str], ...] = (
    (
        'import { jsx } from "@emotion/react";\n',
        'import { jsx } from "@emotion/react";\n'
        f"{MARKER}: coop_dashboard/frontend/server_render.py\n"
        'import { serverRenderedState, withServerRendered } from "$/utils/server_render";\n',
    ),
    (
        "  const [store] = useState(() => createStateStore(initialState));\n",
        f"  {MARKER}: the store starts from the state the page's HTML was rendered with.\n"
        "  const [store] = useState(() => createStateStore(withServerRendered(initialState)));\n",
    ),
    (
        "  getSnapshot: (substateName) => initialState[substateName],\n",
        f"  {MARKER}: the state of the request being rendered, if any.\n"
        "  getSnapshot: (substateName) => serverRenderedState(initialState, substateName),\n",
    ),
)


def patch_context(compiled: str) -> str:
    """Reflex's compiled context module with the server-render calls spliced in."""
    if MARKER in compiled:
        raise TemplateChanged(f"{CONTEXT_JSX} is patched already")
    return splice(compiled, SPLICES, file=CONTEXT_JSX, plugin="server-render")


def _frontend_files() -> list[tuple[str, str]]:
    return [(HELPER_JS, HELPER_SOURCE.read_text()), (RENDERER_JS, RENDERER_SOURCE.read_text())]


class ServerRenderPlugin(Plugin):
    """Lets the backend render pages with their first data (see the module's docstring)."""

    def pre_compile(self, **context: Any) -> None:
        context["add_save_task"](_frontend_files)
        context["add_modify_task"](CONTEXT_JSX, patch_context)
