"""Gasless votes for the proposal page: whether they are paused, the typed data to sign,
the relay (which returns the hash at once), then following the receipt.

One GaslessVoteRelay per process and deployment (on the process's shared chain
context; it holds the relayer's key); its limits and its nonce live in the app's database, which
every backend worker shares. Numbers in the typed data go to the browser as
decimal strings: a uint256 proposal id does not survive a JavaScript number,
and eth_signTypedData_v4 accepts decimal strings for uint fields.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from coop_dashboard.chain.governance_types import VoteSupport
from coop_dashboard.chain.relay_sender import RelaySender
from coop_dashboard.chain.signed_ballots import BallotChain, SignedBallot
from coop_dashboard.config import Settings
from coop_dashboard.db.engine import get_engine
from coop_dashboard.errors import CoopError
from coop_dashboard.services.chain_access import chain_for
from coop_dashboard.services.governance.relay_policy import RelayPolicy, RelayRefused
from coop_dashboard.services.governance.relayer_config import load_relayer_config
from coop_dashboard.services.governance.vote_relay import GaslessVoteRelay, RelayResult
from coop_dashboard.services.transactions import ChainContext, TxOutcome, follow_transaction

_relays: dict[tuple[str, str, str], GaslessVoteRelay] = {}
_relays_lock = threading.Lock()

NOT_CONFIGURED = (
    "Gasless voting is not configured on this dashboard (RELAYER_PRIVATE_KEY). "
    "Vote from your wallet instead."
)


class GaslessUnavailable(CoopError):
    """No relayer key is configured for this chain."""


@dataclass(frozen=True)
class BallotRequest:
    typed_data: dict[str, Any]  # for eth_signTypedData_v4 (uint fields as strings)
    nonce: int
    relayer: str


@dataclass(frozen=True)
class GaslessPanel:
    """What the vote panel says about gasless voting before anyone clicks."""

    paused: bool
    reason: str = ""  # why it is paused, for members


def _relay(settings: Settings) -> GaslessVoteRelay:
    config = load_relayer_config(settings.chain_id)
    if config.private_key is None:
        raise GaslessUnavailable(NOT_CONFIGURED)
    shared = chain_for(settings)  # a new one after a redeploy (manifest changed): rebuild then
    key = (settings.rpc_url, str(settings.deployment_path), settings.database_url)
    with _relays_lock:
        relay = _relays.get(key)
        if relay is None or relay.ballots.chain is not shared.governance:
            policy = RelayPolicy(
                RelaySender(shared.w3, config.private_key),
                get_engine(settings.database_url),
                config.limits,
            )
            relay = GaslessVoteRelay(BallotChain(shared.governance), policy)
            _relays[key] = relay
    return relay


def relay_policy(settings: Settings) -> RelayPolicy:
    """The relayer's policy (key, limits, nonce lock): shared by every gasless relay."""
    return _relay(settings).policy


def gasless_panel(settings: Settings) -> GaslessPanel:
    """Paused (and why) for everyone: no relayer configured, balance floor, hourly budget."""
    try:
        status = _relay(settings).status()
    except GaslessUnavailable as exc:
        return GaslessPanel(True, str(exc))
    except CoopError as exc:
        return GaslessPanel(True, f"Gasless voting is unavailable right now: {exc}")
    return GaslessPanel(status.paused, status.reason)


def _stringify_uints(typed_data: dict[str, Any]) -> dict[str, Any]:
    message = dict(typed_data["message"])
    for name in ("proposalId", "nonce"):
        message[name] = str(message[name])
    domain = dict(typed_data["domain"])
    domain["chainId"] = str(domain["chainId"])
    return {**typed_data, "message": message, "domain": domain}


def ballot_request(
    settings: Settings, voter: str, proposal_id: int, support: int, reason: str
) -> BallotRequest:
    """What the voter's wallet signs (with the governor nonce read now); RelayRefused before
    the wallet opens when the relayer would refuse the vote anyway."""
    relay = _relay(settings)
    relay.precheck(voter, proposal_id)
    status = relay.status()
    if status.paused:
        raise RelayRefused("paused", status.reason)
    typed = relay.ballots.ballot_request(voter, proposal_id, VoteSupport(support), reason)
    return BallotRequest(_stringify_uints(typed), int(typed["message"]["nonce"]), relay.relayer)


def relay_ballot(
    settings: Settings,
    voter: str,
    proposal_id: int,
    support: int,
    reason: str,
    nonce: int,
    signature: str,
) -> RelayResult:
    """Check and send the signed ballot; the hash at once (RelayRefused says why not sent)."""
    try:
        raw_signature = bytes.fromhex(signature.removeprefix("0x"))
    except ValueError:
        raise RelayRefused("signature", "The signature is malformed.") from None
    ballot = SignedBallot(
        proposal_id=proposal_id,
        support=support,
        voter=voter,
        nonce=nonce,
        signature=raw_signature,
        reason=reason.strip(),
    )
    return _relay(settings).relay(ballot)


async def follow_relayed_vote(settings: Settings, result: RelayResult) -> TxOutcome:
    """Wait (asynchronously) for the relayed vote to be mined, then book what it cost."""
    context = await asyncio.to_thread(ChainContext.load, settings)
    outcome = await follow_transaction(context, result.tx_hash)
    # If booking fails, the reserved (larger) cost keeps counting: the cap errs on the safe side.
    with contextlib.suppress(CoopError, SQLAlchemyError):
        await asyncio.to_thread(_relay(settings).policy.settle, result.tx_hash)
    return outcome
