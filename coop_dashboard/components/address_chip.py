"""An address shown as `0xabcd…1234`, with the full address on hover and a copy button."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import StringVar, Var


def short_address_var(address: str | Var[str]) -> Var[str]:
    """`0xabcd…1234`, computed in the browser so it works on any address Var (even in
    rx.foreach) and follows it as it changes. services.display.short_address is the
    server-side twin for plain strings."""
    full: StringVar = Var.create(address).to(str)
    return full[:6] + "…" + full[-4:]


def address_chip(address: str | Var[str], **props: Any) -> rx.Component:
    """A compact, copyable address. `props` go to the outer element (e.g. `id`)."""
    address_var = Var.create(address).to(str)
    extra_attrs: dict[str, Any] = props.pop("custom_attrs", None) or {}
    return rx.hstack(
        rx.code(
            short_address_var(address_var),
            variant="ghost",
            color_scheme="gray",
            size="2",
            font_family="var(--code-font-family)",
        ),
        # The browser's own tooltip (title), not Radix's: a proposal page shows up to
        # 200 chips, and a Radix tooltip apiece was a good part of rendering its votes.
        rx.icon_button(
            rx.icon("copy", size=13),
            size="1",
            variant="ghost",
            color_scheme="gray",
            aria_label="Copy address",
            title="Copy address",
            on_click=[
                rx.set_clipboard(address_var),
                rx.toast.success("Address copied", duration=1500),
            ],
        ),
        spacing="1",
        align="center",
        title=address_var,
        custom_attrs={"data-address": address_var, **extra_attrs},
        class_name="address-chip",
        **props,
    )
