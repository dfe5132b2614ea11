"""A thin bar showing a share (votes for, quorum reached, proposals in a state).

A native <progress> element, not Radix's Progress: a feed page draws 80 of them, and
Radix's (a React component tree apiece) was ~7 ms of the page's first render in
Chromium, on the path to its data being visible. Accessible as is (the element is a
progressbar with its value and maximum); `data-accent-color` is Radix's own way of
giving one element another color scale, which theme.SHARE_BAR_STYLE paints with.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

SHARE_BAR_CLASS = "share-bar"


def share_bar(value: Any, maximum: int, color: Any, **props: Any) -> rx.Component:
    """`value` out of `maximum` (both as the Governor counts: basis points, percent),
    in the Radix color scale `color` (a name or a Var holding one)."""
    extra_attrs: dict[str, Any] = props.pop("custom_attrs", None) or {}
    return rx.el.progress(
        value=value,
        max=maximum,
        class_name=SHARE_BAR_CLASS,
        custom_attrs={"data-accent-color": color, **extra_attrs},
        **props,
    )
