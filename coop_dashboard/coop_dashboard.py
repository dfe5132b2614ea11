"""The Reflex app: global style + the registered pages. Nothing else lives here.

The theme is configured in rxconfig.py (Reflex's Radix plugin owns it).
"""

import reflex as rx

from coop_dashboard.components.layout import APP_NAME
from coop_dashboard.components.theme import GLOBAL_STYLE
from coop_dashboard.pages import add_registered_pages

app = rx.App(style=GLOBAL_STYLE)
add_registered_pages(app, app_title=APP_NAME)
