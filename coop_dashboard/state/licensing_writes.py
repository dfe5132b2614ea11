"""Purchases and renewals from the wallet: an ERC20 price is two transactions.

`start_purchase` runs one step through the tab's single write path
(state/tx.start_write): the service decides, on the server, whether the
buyer's allowance is short (then the step is `approve`) or the purchase itself
can go. When an approval is mined, the page's refresh handler asks for the
next step: it waits for the transaction panel to finish reporting the approval
(the panel holds the tab's one write slot until then), then prepares again,
now finding the allowance and offering the purchase.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

import reflex as rx
from reflex.event import EventHandler, EventSpec

from coop_dashboard.config import Settings
from coop_dashboard.services.licensing.writes import PurchaseStep
from coop_dashboard.services.transactions import PreparedWrite
from coop_dashboard.state.tx import BUSY_PHASES, TxState, start_write

# How long the next step waits for the panel to finish the previous one.
_SLOT_WAIT_S = 10.0
_SLOT_POLL_S = 0.1

PrepareStep = Callable[[Settings, str], PurchaseStep]


async def wait_for_write_slot(state: rx.State) -> None:
    """Until the tab's transaction panel no longer holds a write (bounded: at most 10 s)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + _SLOT_WAIT_S
    while loop.time() < deadline:
        async with state:
            tx = await state.get_state(TxState)
            if tx.phase not in BUSY_PHASES:
                return
        await asyncio.sleep(_SLOT_POLL_S)


async def start_purchase(
    state: rx.State,
    *,
    summary: str,
    prepare: PrepareStep,
    after_approval: EventHandler,
    after_purchase: Sequence[EventHandler],
) -> tuple[EventSpec | None, bool]:
    """Start the next step of a purchase; (the wallet call to yield, whether it is an approval).

    The refresh handlers are fixed before the step is known, so both are given:
    `after_approval` runs only when the step was an approval (it starts the purchase),
    `after_purchase` always (the page's data is refreshed either way).
    """
    approval: list[bool] = []

    def run(settings: Settings, signer: str) -> PreparedWrite:
        step = prepare(settings, signer)
        approval.append(step.is_approval)
        return step.write

    event = await start_write(
        state, summary=summary, prepare=run, refresh=[*after_purchase, after_approval]
    )
    return event, bool(approval and approval[0])
