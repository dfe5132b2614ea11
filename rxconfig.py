"""Reflex configuration.

Prod mode serves frontend and backend on one port:
`reflex run --env prod --backend-port 3000` answers at http://localhost:3000.
On another port give both flags (`--frontend-port N --backend-port N`): prod
mode refuses two different ports and the frontend port here is 3000.
Dev mode keeps Reflex's split: frontend 3000, backend 8000.
"""

from __future__ import annotations

import os
from pathlib import Path

import reflex as rx

from coop_dashboard.components.theme import app_theme
from coop_dashboard.config import load_settings
from coop_dashboard.frontend.early_hydrate import EarlyHydratePlugin
from coop_dashboard.frontend.server_render import ServerRenderPlugin
from coop_dashboard.frontend.theme_root_class import ThemeRootClassPlugin

PROJECT_ROOT = Path(__file__).resolve().parent

# The machines reach PyPI/npm but not bun.sh, so Reflex cannot download bun
# itself: `npm install --prefix tools` installs the pinned bun from npm instead.
BUN_PATH = PROJECT_ROOT / "tools" / "node_modules" / "@oven" / "bun-linux-x64" / "bin" / "bun"

# No version check against PyPI on every start; Reflex reads this at call time,
# after importing this module. setdefault keeps the caller's explicit choice.
os.environ.setdefault("REFLEX_CHECK_LATEST_VERSION", "0")

settings = load_settings()

config = rx.Config(
    app_name="coop_dashboard",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    frontend_port=3000,
    db_url=settings.database_url,
    # REDIS_URL set: tabs' state lives in Redis (Reflex's Redis state manager), so
    # several backend workers can serve any tab (`coop serve --workers N`).
    redis_url=settings.redis_url or None,
    # If tools/ is not installed yet Reflex falls back to `which bun` (then to a
    # download that fails offline): `make` installs tools/ before any reflex command.
    bun_path=BUN_PATH,
    # Number-heavy pages read best on light; the header's toggle switches to dark.
    default_color_mode="light",
    # EarlyHydratePlugin: a page asks for its data when its websocket opens, not
    # once React has mounted it (coop_dashboard/frontend/early_hydrate.py).
    # ThemeRootClassPlugin: the colour mode's class stays on <html> only, so the page
    # is not restyled whole at mount (coop_dashboard/frontend/theme_root_class.py).
    # ServerRenderPlugin: pages can be rendered per request with their first data in
    # their HTML (coop_dashboard/frontend/server_render.py, api/server_render.py).
    plugins=[
        rx.plugins.RadixThemesPlugin(theme=app_theme()),
        EarlyHydratePlugin(),
        ThemeRootClassPlugin(),
        ServerRenderPlugin(),
    ],
    # Brotli sidecars first (the static server serves the first format the browser
    # accepts): ~15-20 % fewer bytes than gzip for the JS bundles (plotly's basic
    # bundle, the largest, on the proposal page); gzip for clients without br.
    frontend_compression_formats=["brotli", "gzip"],
    # A dashboard has nothing for search engines to index.
    disable_plugins=[rx.plugins.SitemapPlugin],
)
