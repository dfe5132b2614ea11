"""The Radix theme of the whole app (rxconfig hands it to Reflex's Radix plugin)."""

from __future__ import annotations

import reflex as rx
from reflex_base.components.component import ComponentStyle

from coop_dashboard.components.radix_classes import RADIX_CLASSES_STYLE
from coop_dashboard.components.share_bar import SHARE_BAR_CLASS


def app_theme() -> rx.Component:
    # Light or dark follows the header toggle (rxconfig: light by default).
    return rx.theme(accent_color="teal", gray_color="slate", radius="medium")


# Global styles: figures in tables and cards line up when their digits have one width.
# Rendered (sanitized) markdown: Radix resets headings and lists, so give the
# HTML of descriptions and statements a readable document style again.
MARKDOWN_STYLE: ComponentStyle = {
    "line_height": "1.6",
    "& h1": {"font_size": "1.5em", "font_weight": "700", "margin": "0.2em 0 0.6em"},
    "& h2": {"font_size": "1.25em", "font_weight": "700", "margin": "1em 0 0.5em"},
    "& h3": {"font_size": "1.1em", "font_weight": "600", "margin": "1em 0 0.4em"},
    "& p": {"margin": "0 0 0.8em"},
    "& ul": {"list_style": "disc", "padding_left": "1.5em", "margin": "0 0 0.8em"},
    "& ol": {"list_style": "decimal", "padding_left": "1.5em", "margin": "0 0 0.8em"},
    "& li": {"margin": "0.2em 0"},
    "& a": {"color": "var(--accent-11)", "text_decoration": "underline"},
    "& code": {"font_family": "monospace", "background": "var(--gray-a3)", "padding": "0 0.3em"},
    "& pre": {"background": "var(--gray-a3)", "padding": "0.8em", "overflow_x": "auto"},
    "& blockquote": {"border_left": "3px solid var(--gray-a6)", "padding_left": "0.8em"},
    "& table": {"border_collapse": "collapse"},
    "& th, & td": {"border": "1px solid var(--gray-a6)", "padding": "0.3em 0.6em"},
}

# components/share_bar.py: a native <progress> drawn like Radix's size-1 soft Progress
# (4 px, full radius, the accent scale's step 9 on a translucent gray track).
_SHARE_BAR_FILL = {"background_color": "var(--accent-9)", "border_radius": "9999px"}
SHARE_BAR_STYLE: ComponentStyle = {
    "appearance": "none",
    "display": "block",
    "width": "100%",
    "height": "var(--space-1)",
    "border": "none",
    "border_radius": "9999px",
    "overflow": "hidden",
    "background_color": "var(--gray-a3)",
    "&::-webkit-progress-bar": {"background_color": "var(--gray-a3)", "border_radius": "9999px"},
    "&::-webkit-progress-value": _SHARE_BAR_FILL,
    "&::-moz-progress-bar": _SHARE_BAR_FILL,
}

GLOBAL_STYLE: ComponentStyle = {
    ".tabular-nums": {"font_variant_numeric": "tabular-nums"},
    f".{SHARE_BAR_CLASS}": SHARE_BAR_STYLE,
    ".markdown-body": MARKDOWN_STYLE,
    **RADIX_CLASSES_STYLE,
}
