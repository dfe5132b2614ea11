"""Gasless votes for the proposal page: the typed data to sign, then the relay.

One GaslessVoteRelay per process and chain (it holds the RPC connection and
the relayer's key); its rate limit is counted in the app's database, which
every backend worker shares. Numbers in the typed data go to the browser as
decimal strings: a uint256 proposal id does not survive a JavaScript number,
and eth_signTypedData_v4 accepts decimal strings for uint fields.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from coop_dashboard.chain.client import make_web3
from coop_dashboard.chain.contracts import load_manifest
from coop_dashboard.chain.governance_chain import GovernanceChain
from coop_dashboard.chain.governance_types import VoteSupport
from coop_dashboard.chain.relayer import ChainRelayer, SignedBallot
from coop_dashboard.chain.transact import Sender
from coop_dashboard.config import Settings
from coop_dashboard.db.engine import get_engine
from coop_dashboard.errors import CoopError
from coop_dashboard.services.governance.relayer import (
    GaslessVoteRelay,
    RelayRateLimiter,
    RelayResult,
)
from coop_dashboard.services.governance.relayer_config import load_relayer_config

HOUR_S = 3_600.0

_relays: dict[tuple[str, str, str], GaslessVoteRelay] = {}
_relays_lock = threading.Lock()


class GaslessUnavailable(CoopError):
    """No relayer key is configured for this chain."""


@dataclass(frozen=True)
class BallotRequest:
    typed_data: dict[str, Any]  # for eth_signTypedData_v4 (uint fields as strings)
    nonce: int
    relayer: str


def _relay(settings: Settings) -> GaslessVoteRelay:
    config = load_relayer_config(settings.chain_id)
    if config.private_key is None:
        raise GaslessUnavailable(
            "Gasless voting is not configured on this dashboard (RELAYER_PRIVATE_KEY). "
            "Vote from your wallet instead."
        )
    key = (settings.rpc_url, str(settings.deployment_path), settings.database_url)
    with _relays_lock:
        relay = _relays.get(key)
        if relay is None:
            w3 = make_web3(settings.rpc_url, settings.rpc_timeout_s)
            chain = GovernanceChain(w3, load_manifest(settings.deployment_path))
            sender = Sender.from_private_key(w3, config.private_key)
            relay = GaslessVoteRelay(
                ChainRelayer(chain, sender),
                RelayRateLimiter(
                    get_engine(settings.database_url),
                    max_per_window=config.max_per_hour,
                    window_s=HOUR_S,
                ),
            )
            _relays[key] = relay
    return relay


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
    """What the voter's wallet signs (with the governor nonce read now)."""
    relay = _relay(settings)
    typed = relay.relayer.ballot_request(voter, proposal_id, VoteSupport(support), reason)
    return BallotRequest(
        _stringify_uints(typed), int(typed["message"]["nonce"]), relay.relayer.address
    )


def relay_ballot(
    settings: Settings,
    voter: str,
    proposal_id: int,
    support: int,
    reason: str,
    nonce: int,
    signature: str,
) -> RelayResult:
    """Check and submit the signed ballot; RelayRefused says why it was not sent."""
    ballot = SignedBallot(
        proposal_id=proposal_id,
        support=support,
        voter=voter,
        nonce=nonce,
        signature=bytes.fromhex(signature.removeprefix("0x")),
        reason=reason.strip(),
    )
    return _relay(settings).relay(ballot)
