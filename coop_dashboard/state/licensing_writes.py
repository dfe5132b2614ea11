"""Purchases and renewals from the wallet: one transaction when the price is in ETH or
in a token with EIP-2612 permit (the wallet signs the permit first), two otherwise.

`request_permit` asks the server whether the purchase can be paid with a permit
and, if so, gives the wallet call that signs it; the page keeps what it asked
for (value, deadline, signer) on the server and, with the wallet's signature,
prepares the purchase through the usual write path (`start_purchase`), where
the signature is checked again before the one transaction is offered.

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
from typing import Any

import reflex as rx
from reflex.event import EventHandler, EventSpec

from coop_dashboard.config import Settings, load_settings
from coop_dashboard.errors import CoopError
from coop_dashboard.services.licensing.purchases import PermitRequest, PurchaseStep, SignedPermit
from coop_dashboard.services.transactions import PreparedWrite
from coop_dashboard.services.tx_text import same_address
from coop_dashboard.services.wallet_calls import bridge_call
from coop_dashboard.services.wallet_errors import wallet_problem
from coop_dashboard.services.wallet_snapshot import is_ok, signature_or_empty
from coop_dashboard.state.session import authenticated_address_now
from coop_dashboard.state.tx import BUSY_PHASES, TxState, start_write

# How long the next step waits for the panel to finish the previous one.
_SLOT_WAIT_S = 10.0
_SLOT_POLL_S = 0.1

PrepareStep = Callable[[Settings, str], PurchaseStep]
PermitFor = Callable[[Settings, str], PermitRequest | None]


class PermitNotSigned(CoopError):
    """The wallet did not sign the permit (the message says why); nothing was sent."""


async def request_permit(
    state: rx.State, permit_for: PermitFor, on_signed: EventHandler
) -> tuple[EventSpec, dict[str, Any]] | None:
    """The wallet call that signs the purchase's permit, and what to keep (server-side) for
    the answer; None when it goes without a permit (ETH, allowance enough, no permit in the
    token) or is refused: the ordinary path then runs and says why in the panel.

    Call from a background event outside `async with`."""
    signer = await authenticated_address_now(state)
    if signer is None:
        return None
    try:
        request = await asyncio.to_thread(permit_for, load_settings(), signer)
    except CoopError:
        return None
    if request is None:
        return None
    kept = {"signer": signer, "value": request.value, "deadline": request.deadline}
    call = bridge_call("signTypedData", signer, request.typed_data)
    return rx.call_script(call, callback=on_signed), kept


def signed_permit(answer: Any, kept: dict[str, Any], signer: str) -> SignedPermit:
    """The permit from the wallet's answer to `request_permit`'s call, for `signer` (who
    must be who it was asked of); PermitNotSigned saying why not."""
    if not is_ok(answer):
        problem = wallet_problem(
            answer if isinstance(answer, dict) else {},
            action="sign the permit",
            expected_chain_id=load_settings().chain_id,
        )
        raise PermitNotSigned(f"{problem.title}: {problem.message}")
    if not same_address(str(kept.get("signer", "")), signer):
        raise PermitNotSigned("You signed in as another account since; buy again.")
    return SignedPermit(
        int(kept["value"]), int(kept["deadline"]), signature_or_empty(answer.get("signature"))
    )


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
