"""One delegate in the directory: name, address, power and share, delegators,
participation, latest vote, 7-day change, topics, seeking and statement badges."""

from __future__ import annotations

from typing import Any

import reflex as rx

from coop_dashboard.components.address_chip import address_chip
from coop_dashboard.services.delegates.directory import DelegateRow


def _figure(label: str, value: Any, **props: Any) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray"),
        rx.text(value, size="2", weight="medium", **props),
        spacing="0",
        min_width="7em",
    )


def delegate_card(row: DelegateRow) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.link(
                    rx.heading(rx.cond(row.name != "", row.name, row.short), size="4"),
                    href=row.href,
                ),
                address_chip(row.address),
                rx.spacer(),
                rx.cond(
                    row.seeking,
                    rx.badge("Seeking delegation", color_scheme="green", class_name="seeking"),
                ),
                rx.cond(
                    row.has_statement,
                    rx.badge("Statement", color_scheme="blue", class_name="statement-badge"),
                    rx.badge("No statement", color_scheme="gray"),
                ),
                # Delegating happens on the profile, where the effect is shown before signing.
                rx.link(
                    rx.button("Delegate", size="1", variant="soft"),
                    href=row.href + "#delegate",
                    class_name="delegate-link",
                ),
                align="center",
                spacing="2",
                width="100%",
                wrap="wrap",
            ),
            rx.flex(
                _figure("Voting power", row.power, title=row.power_exact, class_name="power"),
                _figure("Share of supply", row.share),
                _figure("Delegators", row.delegators, class_name="delegators"),
                _figure("Participation", row.participation),
                _figure("Latest vote", row.last_vote),
                _figure(
                    "7-day change",
                    row.change,
                    color_scheme=rx.cond(
                        row.change_sign > 0, "green", rx.cond(row.change_sign < 0, "red", "gray")
                    ),
                ),
                gap="4",
                wrap="wrap",
            ),
            rx.cond(
                row.topics.length() > 0,  # type: ignore[attr-defined]
                rx.hstack(
                    rx.foreach(row.topics, lambda t: rx.badge(t, variant="soft")),
                    spacing="1",
                    wrap="wrap",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        class_name="delegate-card",
        custom_attrs={"data-address": row.address},
    )
