"""The Starlette app Reflex mounts its own backend under (`rx.App(api_transformer=...)`).

What is routed or intercepted here answers first; every other path goes on to Reflex.
"""

from __future__ import annotations

from starlette.applications import Starlette

from coop_dashboard.api import auth, datasets, exports, loop_probe, nodes
from coop_dashboard.api.build_assets import BuildAssets
from coop_dashboard.api.ipfs_gateway import IpfsGateway
from coop_dashboard.api.page_paths import PrerenderedPagePaths
from coop_dashboard.api.route_preload import RoutePreload
from coop_dashboard.api.served_build import ServedBuild
from coop_dashboard.api.server_render import ServerRenderedPages


def build_api() -> Starlette:
    probe = loop_probe.ROUTES if loop_probe.probe_enabled() else []
    routes = [*exports.ROUTES, *auth.ROUTES, *datasets.ROUTES, *nodes.ROUTES, *probe]
    api = Starlette(routes=routes)
    api.add_middleware(IpfsGateway)
    # Both read the served build's prerendered pages: one reading for the two.
    build = ServedBuild()
    api.add_middleware(PrerenderedPagePaths, build=build)
    api.add_middleware(RoutePreload, build=build)
    # Before the two above: a server-rendered page's address is answered rendered now.
    api.add_middleware(ServerRenderedPages, build=build)
    # Added last, so it answers first: a page's assets are most of its requests.
    api.add_middleware(BuildAssets, build=build)
    return api
