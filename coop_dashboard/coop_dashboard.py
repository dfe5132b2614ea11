"""The Reflex app: global style, the wallet bridge script, the registered pages and the
lifespan tasks. Nothing else lives here.

The theme is configured in rxconfig.py (Reflex's Radix plugin owns it).
"""

import reflex as rx

# Imported for its side effect: every table lands on SQLModel.metadata, which is the
# metadata `reflex db makemigrations` diffs (Reflex's own rx.Model shares it).
import coop_dashboard.db.models  # noqa: F401
from coop_dashboard.api.app import build_api
from coop_dashboard.api.loop_probe import probe_enabled, probe_loop_lag
from coop_dashboard.api.server_render import page_renderer_lifespan
from coop_dashboard.components.layout import APP_NAME
from coop_dashboard.components.theme import GLOBAL_STYLE
from coop_dashboard.indexer.service import indexer_lifespan_task
from coop_dashboard.loop_latency import freeze_startup_heap, set_switch_interval
from coop_dashboard.pages import add_registered_pages
from coop_dashboard.redaction import install_log_redaction
from coop_dashboard.services.datasets.card_facts import dataset_housekeeping
from coop_dashboard.services.jobs.spec_facts import job_spec_housekeeping
from coop_dashboard.services.sign_in import purge_periodically
from coop_dashboard.services.sql_index import register_sql_index_reader

WALLET_BRIDGE_SRC = "/wallet_bridge.js"

# Every log line of the app's process goes through the one redaction (RPC API keys).
install_log_redaction()
# Worker threads hand the interpreter back to the event loop within 1 ms.
set_switch_interval()

# The wallet bridge (assets/wallet_bridge.js) is on every page: states drive the
# browser wallet through it with rx.call_script.
# HTTP routes beside the pages (/ipfs/<cid>) answer before Reflex's own.
app = rx.App(
    style=GLOBAL_STYLE,
    # Declared, not computed: without it the toaster asks getComputedStyle for the
    # page's direction on each render, a full style recalculation (~17 ms of a cold
    # load of /proposals in Chromium, before its data could show).
    html_custom_attrs={"dir": "ltr"},
    head_components=[rx.script(src=WALLET_BRIDGE_SRC)],
    api_transformer=build_api(),
)
add_registered_pages(app, app_title=APP_NAME)
# Pages registered with server_render=True are answered with their data in their HTML,
# rendered by this worker's renderer process (api/server_render.py).
app.register_lifespan_task(page_renderer_lifespan)
app.register_lifespan_task(purge_periodically)
# New datasets' cards read into the catalog; uploads never registered collected.
app.register_lifespan_task(dataset_housekeeping)
# New jobs' specs read for the board's search (task, recipe, metric).
app.register_lifespan_task(job_spec_housekeeping)
# The indexer follows the chain into SQL inside the app (INDEXER_IN_APP=0 when a
# separate `coop index` does it); writes wait for it before refreshing pages.
app.register_lifespan_task(indexer_lifespan_task)
register_sql_index_reader()
app.register_lifespan_task(freeze_startup_heap)
# benchmarks/event_loop.py only (COOP_LOOP_PROBE=1): how late this worker's loop runs.
if probe_enabled():
    app.register_lifespan_task(probe_loop_lag)
