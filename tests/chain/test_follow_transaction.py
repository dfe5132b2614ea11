"""Following a write: the hash the browser reports is checked against what was prepared,
and a wallet's speed-up or cancel (same account and nonce, new hash) is followed.

Real anvil: the replacement tests turn automine off so the first transaction waits
in the pool while the wallet replaces it, as on a chain with real block times.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from coop_dashboard.chain.tx import UnsignedTx
from coop_dashboard.services.transactions import (
    CANCELLED,
    MISMATCH,
    ChainContext,
    follow_transaction,
    prepare_call,
)
from tests.support.chains import Chain

GWEI = 10**9


def _rpc(chain: Chain, method: str, *params: Any) -> Any:
    return chain.w3.provider.make_request(method, list(params))  # type: ignore[arg-type]


def _delegation(context: ChainContext, member: str) -> UnsignedTx:
    return prepare_call(
        context,
        description="Delegate",
        sender=member,
        contract="CoopToken",
        function="delegate",
        args=[member],
    ).tx


def _send(chain: Chain, tx: UnsignedTx | dict[str, Any], **fields: Any) -> str:
    """What a wallet sends (an unlocked node account here); returns the hash at once."""
    params = tx.wallet_params() if isinstance(tx, UnsignedTx) else dict(tx)
    params.pop("chainId", None)
    params |= {
        key: hex(value) if isinstance(value, int) else value for key, value in fields.items()
    }
    answer = _rpc(chain, "eth_sendTransaction", params)
    assert "result" in answer, answer
    return str(answer["result"])


@contextmanager
def _manual_mining(chain: Chain) -> Iterator[None]:
    """Blocks are mined only on request (evm_mine) inside the block."""
    _rpc(chain, "evm_setAutomine", False)
    try:
        yield
    finally:
        _rpc(chain, "evm_setAutomine", True)


def _follow(context: ChainContext, tx_hash: str, expected: UnsignedTx) -> asyncio.Task[Any]:
    return asyncio.create_task(
        follow_transaction(context, tx_hash, expected=expected, timeout_s=30, poll_s=0.05)
    )


def test_the_hash_of_an_unrelated_transaction_is_refused(
    chain: Chain, context: ChainContext
) -> None:
    member, other = chain.w3.eth.accounts[10], chain.w3.eth.accounts[11]
    prepared = _delegation(context, member)
    # A mined, successful transaction that is not the prepared one: another account's
    # transfer, and a call from the member to the same contract with other calldata.
    transfer = _send(chain, {"from": other, "to": member, "value": hex(1)})
    own_other_call = _send(chain, prepared, data=_delegation(context, other).data)
    for unrelated in (transfer, own_other_call):
        chain.w3.eth.wait_for_transaction_receipt(unrelated, timeout=30)  # type: ignore[arg-type]
        outcome = asyncio.run(follow_transaction(context, unrelated, expected=prepared))
        assert not outcome.succeeded and outcome.mined is None
        assert (outcome.kind, outcome.failure) == ("mismatch", MISMATCH)
    # The prepared call itself, under its real hash, is followed as before.
    real = _send(chain, prepared)
    outcome = asyncio.run(follow_transaction(context, real, expected=prepared))
    assert outcome.succeeded and outcome.kind == "" and outcome.replaced_by == ""


def test_a_speed_up_is_followed_to_its_receipt(chain: Chain, context: ChainContext) -> None:
    member = chain.w3.eth.accounts[12]
    prepared = _delegation(context, member)
    nonce = chain.w3.eth.get_transaction_count(member)

    async def scenario() -> Any:
        slow = _send(chain, prepared, nonce=nonce, maxFeePerGas=3 * GWEI, maxPriorityFeePerGas=1)
        following = _follow(context, slow, prepared)
        await asyncio.sleep(0.5)  # the page has seen it pending
        assert not following.done()
        fast = _send(
            chain, prepared, nonce=nonce, maxFeePerGas=30 * GWEI, maxPriorityFeePerGas=2 * GWEI
        )
        await asyncio.sleep(0.3)
        _rpc(chain, "evm_mine")
        return slow, fast, await asyncio.wait_for(following, 30)

    with _manual_mining(chain):
        slow, fast, outcome = asyncio.run(scenario())
    assert fast != slow
    assert outcome.succeeded and outcome.failure is None
    assert outcome.replaced_by == fast
    assert outcome.mined is not None and outcome.mined.tx_hash == fast
    token = context.deployment.contract(chain.w3, "CoopToken")
    assert token.functions.delegates(member).call() == member  # the call did run


def test_a_cancel_is_reported_as_cancelled_not_dropped(chain: Chain, context: ChainContext) -> None:
    member = chain.w3.eth.accounts[13]
    prepared = _delegation(context, member)
    nonce = chain.w3.eth.get_transaction_count(member)

    async def scenario() -> Any:
        slow = _send(chain, prepared, nonce=nonce, maxFeePerGas=3 * GWEI, maxPriorityFeePerGas=1)
        following = _follow(context, slow, prepared)
        await asyncio.sleep(0.5)
        # What a wallet's "cancel" sends: nothing, to yourself, at the same nonce.
        _send(
            chain,
            {"from": member, "to": member, "value": hex(0), "data": "0x"},
            nonce=nonce,
            maxFeePerGas=30 * GWEI,
            maxPriorityFeePerGas=2 * GWEI,
        )
        await asyncio.sleep(0.3)
        _rpc(chain, "evm_mine")
        return await asyncio.wait_for(following, 30)

    with _manual_mining(chain):
        outcome = asyncio.run(scenario())
    assert not outcome.succeeded and outcome.mined is None
    assert (outcome.kind, outcome.failure) == ("cancelled", CANCELLED)
    token = context.deployment.contract(chain.w3, "CoopToken")
    assert token.functions.delegates(member).call() != member  # the call never ran
