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

from coop_dashboard.chain.client import NodeClient, rpc_errors
from coop_dashboard.chain.contracts import Deployment
from coop_dashboard.chain.revert import DecodedRevert, RevertDecoder
from coop_dashboard.chain.tx import (
    MinedTx,
    SentTx,
    UnsignedTx,
    build_call,
    fetch_receipt,
    fetch_sent,
    latest_block_number,
    mined_from,
    mined_nonce,
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
# A wallet may have mined a replacement just before the page started following:
# the search for it starts this many blocks before.
REPLACEMENT_LOOKBACK_BLOCKS = 5
DROPPED = (
    "The network no longer knows this transaction: it was dropped or "
    "replaced in your wallet. Check your wallet's activity."
)
MISMATCH = (
    "Your wallet reported a transaction that is not the one prepared here (another "
    "sender, contract, call or amount), so it is not reported as done. Check your "
    "wallet's activity."
)
CANCELLED = (
    "Cancelled in your wallet: another transaction took its place (same account and "
    "nonce), so this one will never run."
)


@dataclass(frozen=True)
class ChainContext:
    """What building and following a user's transaction needs, loaded once per use."""

    settings: Settings
    w3: NodeClient
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

    mined: MinedTx | None  # None: not mined within the wait, dropped, cancelled, not ours
    failure: str | None  # why it failed, for people; None when it succeeded
    # "" (succeeded), "reverted", "timeout", "dropped", "cancelled" or "mismatch"
    kind: str = ""
    replaced_by: str = ""  # the wallet's speed-up that was followed instead ("" if none)

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


@dataclass(frozen=True)
class _Following:
    """What one poll knows: the hash followed now and the transaction once the node showed it."""

    tx_hash: str
    first_block: int  # where a replacement is searched from
    seen: SentTx | None = None  # the followed transaction, as first seen (pending or mined)


def _finished(context: ChainContext, mined: MinedTx, replaced_by: str) -> TxOutcome:
    if mined.succeeded:
        return TxOutcome(mined, None, replaced_by=replaced_by)
    return TxOutcome(mined, explain_failed(context, mined), "reverted", replaced_by)


def _replacement(
    context: ChainContext, following: _Following, expected: UnsignedTx | None
) -> SentTx | None:
    """The mined transaction that took the followed one's place, if any: the same
    account and nonce (or, for a hash the node never showed, the same call)."""
    reference = following.seen or expected
    if reference is None:
        return None  # nothing says whose nonce to look at
    w3 = context.w3
    candidates = mined_from(w3, reference.sender, following.first_block, latest_block_number(w3))
    for tx in candidates:
        if tx.tx_hash.lower() == following.tx_hash.lower():
            continue
        if following.seen is not None and tx.nonce == following.seen.nonce:
            return tx
        if following.seen is None and expected is not None and tx.same_call(expected):
            return tx
    return None


def _nonce_used(w3: NodeClient, sent: SentTx) -> bool:
    return mined_nonce(w3, sent.sender) > sent.nonce


def _poll(
    context: ChainContext,
    following: _Following,
    expected: UnsignedTx | None,
    grace_over: bool,
) -> tuple[TxOutcome | None, _Following]:
    """One look at the followed transaction (blocking RPC calls: run in a worker thread)."""
    w3 = context.w3
    sent = fetch_sent(w3, following.tx_hash)
    if sent is not None:
        if expected is not None and not sent.same_call(expected):
            return TxOutcome(None, MISMATCH, "mismatch"), following
        if following.seen is None:
            following = _Following(following.tx_hash, following.first_block, sent)
        mined = fetch_receipt(w3, following.tx_hash)
        if mined is not None:
            return _finished(context, mined, ""), following
        if not _nonce_used(w3, sent):
            return None, following  # pending, and its nonce is still free
    elif following.seen is None and not grace_over:
        return None, following  # not propagated to this node yet
    elif following.seen is not None and not _nonce_used(w3, following.seen):
        return None, following  # gone from the pool, its replacement not mined yet
    # The hash is gone or its nonce was used by another transaction: which one?
    replacement = _replacement(context, following, expected)
    if replacement is None:
        return (TxOutcome(None, DROPPED, "dropped") if grace_over else None), following
    reference = expected or following.seen
    if reference is not None and not replacement.same_call(reference):
        return TxOutcome(None, CANCELLED, "cancelled"), following
    # A speed-up: the same call at a higher fee. Follow it from now on.
    mined = fetch_receipt(w3, replacement.tx_hash)
    if mined is not None:
        return _finished(context, mined, replacement.tx_hash), following
    return None, _Following(replacement.tx_hash, following.first_block, replacement)


async def follow_transaction(
    context: ChainContext,
    tx_hash: str,
    *,
    expected: UnsignedTx | None = None,
    timeout_s: float = RECEIPT_TIMEOUT_S,
    poll_s: float = RECEIPT_POLL_S,
) -> TxOutcome:
    """Poll for `tx_hash`'s receipt; each look runs in a worker thread.

    The browser's word is not trusted: with `expected` (what was prepared and
    offered to the wallet), a hash whose transaction is another call, sender or
    amount is refused. A wallet's speed-up (same account and nonce, same call,
    new hash) is followed to its receipt; a cancel (same nonce, another call) is
    reported as cancelled, not as "dropped".
    """
    started = time.monotonic()
    rpc_url = context.settings.rpc_url
    following: _Following | None = None
    while True:
        outcome: TxOutcome | None = None
        try:
            with rpc_errors(rpc_url):
                if following is None:
                    head = await asyncio.to_thread(latest_block_number, context.w3)
                    following = _Following(tx_hash, max(head - REPLACEMENT_LOOKBACK_BLOCKS, 0))
                grace_over = time.monotonic() - started > UNKNOWN_HASH_GRACE_S
                outcome, following = await asyncio.to_thread(
                    _poll, context, following, expected, grace_over
                )
        except CoopError as exc:
            # A blip of the RPC is not the transaction's failure: keep waiting.
            logger.warning("waiting for %s: %s", tx_hash, exc)
        if outcome is not None:
            return outcome
        if time.monotonic() - started > timeout_s:
            return TxOutcome(
                None,
                f"Still not mined after {int(timeout_s)} seconds. It may confirm later; "
                "check your wallet's activity before sending it again.",
                "timeout",
            )
        await asyncio.sleep(poll_s)
