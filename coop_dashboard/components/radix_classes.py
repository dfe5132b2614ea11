"""Radix Themes' own CSS classes, for plain elements drawn as Radix's components draw.

A Radix component is a React component tree apiece (its props sorted into classes,
a Slot, and an emotion class for each style prop Reflex passes), rendered again
whenever its data changes. Where many of them repeat (a feed page's cards, a
proposal's vote rows, every address chip) the same classes on plain elements look
the same and render as bare host elements: a feed card was ~37 Radix components.
The class names are Radix Themes' stylesheet (@radix-ui/themes 3); tests/e2e check
that the elements drawn with them keep Radix's geometry.
"""

from __future__ import annotations

from typing import Literal

from reflex_base.components.component import ComponentStyle

Gap = Literal["1", "2", "3", "4"]

CARD = "rt-reset rt-BaseCard rt-Card rt-r-size-1 rt-variant-surface"
TEXT_1 = "rt-Text rt-r-size-1"
TEXT_1_MEDIUM = "rt-Text rt-r-size-1 rt-r-weight-medium"
HEADING_4 = "rt-Heading rt-r-size-4"
BADGE_1_SOFT = "rt-reset rt-Badge rt-r-size-1 rt-variant-soft"
CODE_2_GHOST = "rt-reset rt-Code rt-r-size-2 rt-variant-ghost"
ICON_BUTTON_1_GHOST = "rt-reset rt-BaseButton rt-r-size-1 rt-variant-ghost rt-IconButton"
# rx.grid(columns=breakpoints(initial="1", sm="2", md="4"), spacing="3").
GRID_1_2_4 = "rt-Grid rt-r-gtc-1 sm:rt-r-gtc-2 md:rt-r-gtc-4 rt-r-gap-3"
# A native <select>: no browser arrow, Radix's chevron drawn in the text's colour
# (two gradients: follows the colour mode, no image to fetch). Styles below.
NATIVE_SELECT = "coop-select"
# A native <select> drawn as rx.select's trigger (size 2, surface).
SELECT_2_SURFACE = f"rt-reset rt-SelectTrigger rt-r-size-2 rt-variant-surface {NATIVE_SELECT}"
# rx.spacer(): a flex item taking the free space.
SPACER = "coop-spacer"
# width: 100% (what Reflex gives Radix components as an emotion class).
FILL = "coop-fill"


def row(gap: Gap, *, align: Literal["start", "center"] = "start", wrap: bool = False) -> str:
    """rx.hstack(spacing=gap, align=align): a flex row."""
    wrapping = " rt-r-fw-wrap" if wrap else ""
    return f"rt-Flex rt-r-fd-row rt-r-ai-{align}{wrapping} rt-r-gap-{gap}"


def column(gap: Gap) -> str:
    """rx.vstack(spacing=gap): a flex column, children at the start."""
    return f"rt-Flex rt-r-fd-column rt-r-ai-start rt-r-gap-{gap}"


_CHEVRON = 4  # px: half the width of the chevron (two triangles side by side)

# Global styles for the classes that stand for Reflex's per-element emotion classes,
# and for the native select's chevron (Radix's trigger draws it as an icon element).
RADIX_CLASSES_STYLE: ComponentStyle = {
    f".{SPACER}": {"flex": "1 1 0%", "place_self": "stretch"},
    f".{FILL}": {"width": "100%"},
    f".{NATIVE_SELECT}": {
        "appearance": "none",
        "cursor": "pointer",
        "padding_right": f"calc(var(--space-3) + {3 * _CHEVRON}px)",
        "background_image": (
            "linear-gradient(45deg, transparent 50%, currentColor 50%),"
            " linear-gradient(135deg, currentColor 50%, transparent 50%)"
        ),
        "background_position": (
            f"calc(100% - var(--space-3) - {_CHEVRON}px) 55%, calc(100% - var(--space-3)) 55%"
        ),
        "background_size": f"{_CHEVRON}px {_CHEVRON}px",
        "background_repeat": "no-repeat",
    },
}
