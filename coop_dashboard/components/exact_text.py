"""A formatted figure that carries its exact value (title on hover, data-value for machines)."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import Var


def exact_text(display: str | Var[str], exact: str | Var[str], **props: Any) -> rx.Component:
    """`display` is what people read (`1,250,000.5`); `exact` is the chain's value (`1250000.5`)."""
    return rx.text(
        display,
        title=exact,
        custom_attrs={"data-value": exact},
        class_name="tabular-nums",
        **props,
    )
