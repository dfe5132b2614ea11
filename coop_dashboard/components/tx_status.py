"""The transaction panel: what is being signed, then pending, mined, refreshed, or why it failed.

Stateless: it shows the values it is given. `phase` is one of preparing,
wallet, pending, mined, done, failed (or idle: nothing shown). The element
carries `data-phase`, so tests and assistive tech can follow it.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import StringVar, Var

Text = str | Var[str]
Flag = bool | Var[bool]

# (phase, label) of the steps shown as a progress line.
_STEPS: tuple[tuple[str, str], ...] = (
    ("wallet", "Sign"),
    ("pending", "Pending"),
    ("mined", "Mined"),
    ("done", "Refreshed"),
)
_ORDER = {"preparing": 0, "wallet": 1, "pending": 2, "mined": 3, "done": 4}


def _step(index: int, label: str, phase: StringVar) -> rx.Component:
    reached = rx.match(
        phase, *[(name, position >= index + 1) for name, position in _ORDER.items()], False
    )
    current = rx.match(
        phase, *[(name, position == index + 1) for name, position in _ORDER.items()], False
    )
    return rx.hstack(
        rx.cond(
            current & (phase != "done"),
            rx.spinner(size="1"),
            # Static icons picked by a cond: an icon named by a Var is lucide's
            # DynamicIcon, whose map of every icon went into the bundle of every page.
            rx.cond(
                reached,
                rx.icon("circle_check", size=14, color=rx.color("accent", 10)),
                rx.icon("circle", size=14, color=rx.color("gray", 8)),
            ),
        ),
        rx.text(label, size="1", color_scheme="gray", weight="medium"),
        spacing="1",
        align="center",
    )


def _headline(phase: StringVar, description: Text) -> rx.Component:
    prefix = rx.match(
        phase,
        ("preparing", "Preparing: "),
        ("wallet", "Confirm in your wallet: "),
        ("pending", "Pending: "),
        ("mined", "Mined: "),
        ("done", "Confirmed: "),
        ("failed", "Not done: "),
        "",
    )
    return rx.text(
        rx.text.span(prefix, color_scheme="gray"),
        rx.text.strong(description, id="tx-description"),
        size="2",
    )


def _facts(tx_hash: StringVar, block_number: Text, gas_used: Text, note: Text) -> rx.Component:
    return rx.vstack(
        rx.cond(
            tx_hash != "",
            rx.text(
                "Transaction ",
                rx.code(
                    tx_hash[:10] + "…" + tx_hash[-6:],
                    id="tx-hash",
                    title=tx_hash,
                    custom_attrs={"data-value": tx_hash},
                    variant="ghost",
                ),
                size="1",
                color_scheme="gray",
            ),
        ),
        rx.cond(
            block_number != "",
            rx.text(
                "Block ",
                rx.text.span(block_number, id="tx-block", class_name="tabular-nums"),
                " · gas used ",
                rx.text.span(gas_used, id="tx-gas", class_name="tabular-nums"),
                size="1",
                color_scheme="gray",
            ),
        ),
        rx.cond(note != "", rx.text(note, size="1", color_scheme="gray", id="tx-note")),
        spacing="1",
    )


def tx_status(
    *,
    phase: Text,
    description: Text,
    tx_hash: Text,
    block_number: Text,
    gas_used: Text,
    note: Text,
    problem_title: Text,
    problem_message: Text,
    offer_switch: Flag,
    on_switch_network: Any,
    on_dismiss: Any,
) -> rx.Component:
    """The panel for the tab's current write (nothing when `phase` is "idle")."""
    phase = Var.create(phase).to(str)
    failed = phase == "failed"
    finished = (phase == "done") | failed
    body = rx.vstack(
        rx.hstack(
            rx.cond(
                failed,
                rx.icon("circle_x", size=18, color=rx.color("red", 10)),
                rx.cond(
                    phase == "done",
                    rx.icon("circle_check", size=18, color=rx.color("accent", 10)),
                    rx.icon("send", size=18, color=rx.color("accent", 10)),
                ),
            ),
            _headline(phase, description),
            rx.spacer(),
            rx.cond(
                finished,
                rx.icon_button(
                    rx.icon("x", size=14),
                    size="1",
                    variant="ghost",
                    color_scheme="gray",
                    on_click=on_dismiss,
                    aria_label="Close",
                    id="tx-dismiss",
                ),
            ),
            align="start",
            spacing="2",
            width="100%",
        ),
        rx.cond(
            failed,
            rx.vstack(
                rx.text(problem_title, weight="bold", size="2", id="tx-problem-title"),
                rx.text(problem_message, size="2", id="tx-problem"),
                rx.cond(
                    offer_switch,
                    rx.button(
                        rx.icon("shuffle", size=14),
                        "Switch network",
                        size="1",
                        variant="soft",
                        on_click=on_switch_network,
                        id="tx-switch-network",
                    ),
                ),
                spacing="1",
                color=rx.color("red", 11),
            ),
            rx.hstack(
                *[_step(i, label, phase) for i, (_, label) in enumerate(_STEPS)], spacing="3"
            ),
        ),
        _facts(Var.create(tx_hash).to(str), block_number, gas_used, note),
        spacing="2",
        width="100%",
    )
    return rx.cond(
        phase != "idle",
        rx.card(
            body,
            id="tx-status",
            custom_attrs={"data-phase": phase, "aria-live": "polite"},
            role="status",
            position="fixed",
            bottom="1.5em",
            right="1.5em",
            width="min(420px, calc(100vw - 3em))",
            z_index="20",
            box_shadow="var(--shadow-5)",
        ),
    )
