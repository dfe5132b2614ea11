"""An address shown as `0xabcd…1234`, with the full address on hover and a copy button."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import StringVar, Var

from coop_dashboard.components import radix_classes as rc


def short_address_var(address: str | Var[str]) -> Var[str]:
    """`0xabcd…1234`, computed in the browser so it works on any address Var (even in
    rx.foreach) and follows it as it changes. services.display.short_address is the
    server-side twin for plain strings."""
    full: StringVar = Var.create(address).to(str)
    return full[:6] + "…" + full[-4:]


def address_chip(address: str | Var[str], **props: Any) -> rx.Component:
    """A compact, copyable address. `props` go to the outer element (e.g. `id`).

    Plain elements in Radix's classes (components/radix_classes.py): a proposal page
    shows up to 200 chips and a feed page ten.
    """
    address_var = Var.create(address).to(str)
    extra_attrs: dict[str, Any] = props.pop("custom_attrs", None) or {}
    return rx.el.div(
        rx.el.code(
            short_address_var(address_var),
            class_name=rc.CODE_2_GHOST,
            custom_attrs={"data-accent-color": "gray"},
        ),
        # The browser's own tooltip (title), not Radix's: a Radix tooltip apiece was
        # a good part of rendering a proposal page's votes.
        rx.el.button(
            rx.icon("copy", size=12),
            type="button",
            aria_label="Copy address",
            title="Copy address",
            class_name=rc.ICON_BUTTON_1_GHOST,
            custom_attrs={"data-accent-color": "gray"},
            on_click=[
                rx.set_clipboard(address_var),
                rx.toast.success("Address copied", duration=1500),
            ],
        ),
        title=address_var,
        custom_attrs={"data-address": address_var, **extra_attrs},
        class_name=f"{rc.row('1', align='center')} address-chip",
        **props,
    )
