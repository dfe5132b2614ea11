"""The Radix theme of the whole app (rxconfig hands it to Reflex's Radix plugin)."""

from __future__ import annotations

import reflex as rx
from reflex_base.components.component import ComponentStyle


def app_theme() -> rx.Component:
    # Light or dark follows the header toggle (rxconfig: light by default).
    return rx.theme(accent_color="teal", gray_color="slate", radius="medium")


# Global styles: figures in tables and cards line up when their digits have one width.
GLOBAL_STYLE: ComponentStyle = {".tabular-nums": {"font_variant_numeric": "tabular-nums"}}
