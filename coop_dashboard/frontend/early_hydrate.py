"""A Reflex plugin: each page's hydrate leaves when its websocket opens, not once React has mounted.

Reflex's client (utils/state.js) opens the websocket's transport while the page's
JavaScript is still loading, then waits for React to mount the page before sending
the hydrate that asks for the page's data: on a cold load of /proposals the hydrate
left ~120 ms after the socket was open and the data frame came ~80 ms after that.
`early_hydrate.js` (beside this file) sends the same hydrate as soon as the socket is
created and holds the server's answer until the mounted app takes the socket over.

Reflex has no hook for this, so three calls are spliced into its state.js at
compile time. Each splice names the template text it expects; if a Reflex upgrade
changes that text the build fails here (`TemplateChanged`) instead of shipping a
client that half-works. The patch always starts from Reflex's own template, so a
rebuild (`.web` keeps the patched file) applies the current version exactly once.
Taking the plugin out of rxconfig.py leaves that file patched in `.web`: delete
`.web` then, so Reflex copies its template again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

from reflex_base.constants import Templates
from reflex_base.plugins.base import Plugin

from coop_dashboard.frontend.templates import TemplateChanged, splice

STATE_JS = "utils/state.js"
HELPER_JS = "utils/early_hydrate.js"
HELPER_SOURCE = Path(__file__).with_name("early_hydrate.js")
TEMPLATE_STATE_JS = Templates.Dirs.WEB_TEMPLATE / STATE_JS
ROUTES_PLACEHOLDER = "/*COOP_ROUTES*/ []"
MARKER = "// coop_dashboard early hydrate"

# (what Reflex's template says, what it says after the patch), in file order.
SPLICES: tuple[tuple[str, str], ...] = (
    (
        'import { uploadFiles } from "$/utils/helpers/upload";\n',
        'import { uploadFiles } from "$/utils/helpers/upload";\n'
        f"{MARKER}: coop_dashboard/frontend/early_hydrate.py\n"
        "import {\n"
        "  adoptEarlyHydrate,\n"
        "  hydratedEarly,\n"
        "  startEarlyHydrate,\n"
        '} from "$/utils/early_hydrate";\n',
    ),
    (
        "    warmSocket.io.open((error) => {\n      if (error) discardWarmSocket();\n    });\n",
        "    warmSocket.io.open((error) => {\n"
        "      if (error) discardWarmSocket();\n"
        "    });\n"
        f"    {MARKER}: the hydrate the mounted app would send, sent now\n"
        "    // (unless the transport failed at once and was discarded).\n"
        "    if (warmSocket && !env.MOUNT_TARGET) {\n"
        "      startEarlyHydrate(\n"
        "        warmSocket,\n"
        "        (params) => ({\n"
        "          event: withRouterData(app.initialEvents(true)[0], { current: params }),\n"
        "          state_schema: app.stateSchema,\n"
        "        }),\n"
        "        (auth) => {\n"
        "          recordSentStorageValues(auth.event);\n"
        "          window.__reflex_otel?.onEventSend?.(auth.event);\n"
        "        },\n"
        "      );\n"
        "    }\n",
    ),
    (
        "  socket.current.auth = bootAuth(true);\n",
        f"  {MARKER}: a socket that hydrated early keeps the hydrate it sent.\n"
        "  const early = hydratedEarly(socket.current);\n"
        "  if (!early) {\n"
        "    socket.current.auth = bootAuth(true);\n"
        "  }\n",
    ),
    (
        '  document.addEventListener("visibilitychange", checkVisibility);\n'
        "  socket.current.connect();\n"
        "};\n",
        '  document.addEventListener("visibilitychange", checkVisibility);\n'
        f"  {MARKER}: its namespace is connecting or connected already.\n"
        "  if (early) {\n"
        "    adoptEarlyHydrate(socket.current);\n"
        "  } else {\n"
        "    socket.current.connect();\n"
        "  }\n"
        "};\n",
    ),
)


def patch_state_js(template: str) -> str:
    """Reflex's state.js template with the early-hydrate calls spliced in."""
    return splice(template, SPLICES, file=STATE_JS, plugin="early-hydrate")


def _patched_state_js(current: str, template_path: Path = TEMPLATE_STATE_JS) -> str:
    template = template_path.read_text()
    if current != template and MARKER not in current:
        # Another plugin or a hand edit changed it: patching the template would drop that.
        raise TemplateChanged(f"{STATE_JS} in .web is neither Reflex's template nor ours")
    return patch_state_js(template)


def helper_js(routes: Sequence[str]) -> str:
    """early_hydrate.js with the app's routes filled in."""
    source = HELPER_SOURCE.read_text()
    if source.count(ROUTES_PLACEHOLDER) != 1:
        raise TemplateChanged(f"{HELPER_SOURCE.name} lost its routes placeholder")
    return source.replace(ROUTES_PLACEHOLDER, json.dumps(sorted(routes)))


def _helper_task(routes: Sequence[str]) -> tuple[str, str]:
    return HELPER_JS, helper_js(routes)


class EarlyHydratePlugin(Plugin):
    """Sends each page's hydrate when its websocket opens (see the module's docstring)."""

    def pre_compile(self, **context: Any) -> None:
        routes = [str(page.route) for page in context["unevaluated_pages"]]
        context["add_save_task"](partial(_helper_task, routes))
        context["add_modify_task"](STATE_JS, _patched_state_js)
