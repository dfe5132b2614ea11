"""Writes signed in the browser: prepared here, followed here until mined.

`PreparedWrite` is what a page offers the wallet: a sentence saying what the
transaction does plus the unsigned transaction. `follow_transaction` waits for
the receipt (polling off the event loop) and explains a failure.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

from web3 import Web3

from coop_dashboard.chain.client import rpc_errors
from coop_dashboard.chain.contracts import Deployment
from coop_dashboard.chain.revert import DecodedRevert, RevertDecoder
from coop_dashboard.chain.tx import (
    MinedTx,
    UnsignedTx,
    build_call,
    fetch_receipt,
    is_known,
    ran_out_of_gas,
    replay_failure,
)
from coop_dashboard.config import Settings
from coop_dashboard.errors import CoopError, TransactionRevertedError
from coop_dashboard.services import tx_text
from coop_dashboard.services.chain_access import chain_for

logger = logging.getLogger(__name__)

# A local chain mines in milliseconds, a public one in seconds; past this the
# page stops waiting and says the transaction is still pending.
RECEIPT_TIMEOUT_S = 180.0
RECEIPT_POLL_S = 0.5
# A hash the node has never heard of after this long was dropped (or replaced).
UNKNOWN_HASH_GRACE_S = 30.0


@dataclass(frozen=True)
class ChainContext:
    """What building and following a user's transaction needs, loaded once per use."""

    settings: Settings
    w3: Web3
    deployment: Deployment
    decoder: RevertDecoder

    @classmethod
    def load(cls, settings: Settings) -> ChainContext:
        shared = chain_for(settings)  # one per process, re-read when the manifest changes
        return cls(settings, shared.w3, shared.deployment, shared.decoder)

    def explain_revert_data(self, data: str) -> str | None:
        """A sentence for raw revert data a wallet returned, or None if unknown."""
        decoded = self.decoder.decode(data)
        return tx_text.explain_revert(decoded) if decoded is not None else None


@dataclass(frozen=True)
class PreparedWrite:
    """A transaction ready for the wallet, with what it does in words."""

    description: str
    tx: UnsignedTx


class WriteRefused(CoopError):
    """The write cannot be sent as it stands (it would revert, or the input is wrong)."""


def prepare_call(
    context: ChainContext,
    *,
    description: str,
    sender: str,
    contract: str,
    function: str,
    args: list[Any],
    value: int = 0,
) -> PreparedWrite:
    """Build and simulate `contract.function(*args)`; WriteRefused explains a revert."""
    try:
        tx = build_call(
            context.w3,
            context.deployment,
            context.decoder,
            sender=sender,
            contract=contract,
            function=function,
            args=args,
            value=value,
            rpc_url=context.settings.rpc_url,
        )
    except TransactionRevertedError as exc:
        revert = exc.revert
        if not isinstance(revert, DecodedRevert):
            revert = DecodedRevert("Error", (str(exc),))
        raise WriteRefused(tx_text.explain_revert(revert)) from exc
    if tx.chain_id != context.settings.chain_id:
        raise WriteRefused(
            f"The node at RPC_URL is on chain {tx.chain_id}, but the dashboard is configured "
            f"for chain {context.settings.chain_id}; nothing was sent."
        )
    return PreparedWrite(description=description, tx=tx)


@dataclass(frozen=True)
class TxOutcome:
    """How a sent transaction ended (as far as the page waits)."""

    mined: MinedTx | None  # None: not mined within the wait, or dropped
    failure: str | None  # why it failed, for people; None when it succeeded

    @property
    def succeeded(self) -> bool:
        return self.mined is not None and self.mined.succeeded


def explain_failed(context: ChainContext, mined: MinedTx) -> str:
    """Why the mined transaction `mined` failed, in words."""
    if ran_out_of_gas(mined):
        return tx_text.OUT_OF_GAS
    try:
        with rpc_errors(context.settings.rpc_url):
            revert = replay_failure(context.w3, mined, context.decoder)
    except CoopError:
        revert = None
    if revert is None:
        return tx_text.FAILED_WITHOUT_REASON
    return tx_text.explain_revert(revert)


async def follow_transaction(
    context: ChainContext,
    tx_hash: str,
    *,
    timeout_s: float = RECEIPT_TIMEOUT_S,
    poll_s: float = RECEIPT_POLL_S,
) -> TxOutcome:
    """Poll for `tx_hash`'s receipt; each RPC call runs in a worker thread."""
    started = time.monotonic()
    rpc_url = context.settings.rpc_url
    while True:
        try:
            with rpc_errors(rpc_url):
                mined = await asyncio.to_thread(fetch_receipt, context.w3, tx_hash)
                if mined is None and time.monotonic() - started > UNKNOWN_HASH_GRACE_S:
                    known = await asyncio.to_thread(is_known, context.w3, tx_hash)
                    if not known:
                        return TxOutcome(
                            None,
                            "The network no longer knows this transaction: it was dropped or "
                            "replaced in your wallet. Check your wallet's activity.",
                        )
        except CoopError as exc:
            # A blip of the RPC is not the transaction's failure: keep waiting.
            logger.warning("waiting for %s: %s", tx_hash, exc)
            mined = None
        if mined is not None:
            if mined.succeeded:
                return TxOutcome(mined, None)
            failure = await asyncio.to_thread(explain_failed, context, mined)
            return TxOutcome(mined, failure)
        if time.monotonic() - started > timeout_s:
            return TxOutcome(
                None,
                f"Still not mined after {int(timeout_s)} seconds. It may confirm later; "
                "check your wallet's activity before sending it again.",
            )
        await asyncio.sleep(poll_s)
