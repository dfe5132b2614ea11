"""Gasless delegation: the member signs EIP-712 `Delegation`, the relayer sends
`delegateBySig` and pays the gas, under the same rules as gasless votes.

Checks, cheapest first, each refusal with a sentence (RelayRefused):
1. shape: addresses, a 65-byte signature, an expiry in the future (at most a day ahead);
2. nonce: signed over the delegator's current token nonce (older = replay);
3. signature: recovered off-chain, must be the delegator's own;
4. the delegation would matter: the delegator holds tokens now (a fresh key with nothing
   would otherwise have the relayer pay for its delegations);
5. the relay policy shared with gasless votes (relay_policy.py): relayer balance floor,
   then `RelayPolicy.relay`: the signer's rate limit, simulation, the hourly spend cap
   and the shared nonce.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import Any

from eth_utils import is_address, to_checksum_address
from sqlalchemy.exc import SQLAlchemyError

from coop_dashboard.chain.signed_delegations import (
    DelegationChain,
    SignedDelegation,
    delegation_typed_data,
    recover_delegation_signer,
)
from coop_dashboard.config import Settings
from coop_dashboard.errors import CoopError
from coop_dashboard.services.chain_access import chain_for
from coop_dashboard.services.governance.gasless import relay_policy
from coop_dashboard.services.governance.relay_policy import RelayPolicy, RelayRefused, RelaySent
from coop_dashboard.services.transactions import ChainContext, TxOutcome, follow_transaction

DELEGATION_KIND = "delegation"
SIGNATURE_TTL_S = 3_600  # expiry asked of the wallet: an hour from now
MAX_EXPIRY_AHEAD_S = 86_400


@dataclass(frozen=True)
class DelegationRequest:
    typed_data: dict[str, Any]  # for eth_signTypedData_v4 (uint fields as strings)
    nonce: int
    expiry: int
    relayer: str


def _parts(settings: Settings) -> tuple[DelegationChain, RelayPolicy]:
    return DelegationChain(chain_for(settings).governance), relay_policy(settings)


def _check_holder(chain: DelegationChain, delegator: str) -> None:
    if chain.balance_of(delegator) == 0:
        raise RelayRefused(
            "no_tokens",
            "You hold no COOP: a delegation would give nobody any voting power, so the "
            "relayer will not pay for it. Nothing was sent.",
        )


def delegation_request(settings: Settings, delegator: str, delegatee: str) -> DelegationRequest:
    """What the wallet signs (nonce read now); RelayRefused before the wallet opens when the
    relayer would refuse anyway."""
    if not is_address(delegator) or not is_address(delegatee):
        raise RelayRefused("address", "That is not an address.")
    chain, policy = _parts(settings)
    _check_holder(chain, delegator)
    policy.check_balance()
    expiry = chain.now() + SIGNATURE_TTL_S
    nonce = chain.nonce_of(delegator)
    typed = delegation_typed_data(chain.domain(), delegatee, nonce, expiry)
    typed["message"] = {**typed["message"], "nonce": str(nonce), "expiry": str(expiry)}
    typed["domain"] = {**typed["domain"], "chainId": str(typed["domain"]["chainId"])}
    return DelegationRequest(typed, nonce, expiry, policy.relayer)


def relay_delegation(
    settings: Settings,
    delegator: str,
    delegatee: str,
    nonce: int,
    expiry: int,
    signature: str,
) -> RelaySent:
    """Check and send the signed delegation; the hash at once (RelayRefused: why not)."""
    try:
        raw = bytes.fromhex(signature.removeprefix("0x"))
    except (ValueError, AttributeError):
        raise RelayRefused("signature", "The signature is malformed.") from None
    if len(raw) != 65 or not is_address(delegator) or not is_address(delegatee):
        raise RelayRefused("signature", "The signature or an address is malformed.")
    if not isinstance(nonce, int) or not isinstance(expiry, int) or nonce < 0:
        raise RelayRefused("nonce", "The nonce and expiry must be numbers.")
    chain, policy = _parts(settings)
    now = chain.now()
    if not now < expiry <= now + MAX_EXPIRY_AHEAD_S:
        raise RelayRefused("expiry", "The signed delegation has expired. Sign a new one.")
    current = chain.nonce_of(delegator)
    if nonce != current:
        raise RelayRefused(
            "replayed" if nonce < current else "nonce",
            "This signed delegation was already used or is out of order. Sign a new one.",
        )
    signed = SignedDelegation(delegator, delegatee, nonce, expiry, raw)
    signer = recover_delegation_signer(signed, chain.domain())
    if signer is None or signer.lower() != delegator.lower():
        raise RelayRefused("signer", "The delegation was not signed by the delegator.")
    _check_holder(chain, delegator)
    policy.check_balance()
    return policy.relay(
        kind=DELEGATION_KIND,
        signer=to_checksum_address(delegator),
        signed_nonce=nonce,
        to=chain.token_address,
        calldata=chain.calldata(signed),
        simulate=lambda: chain.simulate(signed, policy.relayer),
        failure="The delegation would fail",
    )


async def follow_relayed(settings: Settings, sent: RelaySent) -> TxOutcome:
    """Wait for the relayed transaction, then book what it cost."""
    context = await asyncio.to_thread(ChainContext.load, settings)
    outcome = await follow_transaction(context, sent.tx_hash)
    with contextlib.suppress(CoopError, SQLAlchemyError):
        await asyncio.to_thread(relay_policy(settings).settle, sent.tx_hash)
    return outcome
