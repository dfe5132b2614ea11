"""Transactions built for the user's wallet, against a real node: build, simulate, follow,
and explain failures (decoded custom errors, out of gas) from receipts."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from web3 import Web3

from coop_dashboard.chain.member import read_member
from coop_dashboard.chain.tx import fetch_receipt, ran_out_of_gas, replay_failure
from coop_dashboard.evm import ZERO_ADDRESS
from coop_dashboard.services import tx_text
from coop_dashboard.services.transactions import (
    ChainContext,
    WriteRefused,
    explain_failed,
    follow_transaction,
    prepare_call,
)
from tests.support.chains import Chain

DELEGATE_SELECTOR = Web3.keccak(text="delegate(address)")[:4].hex()


def _send(chain: Chain, params: dict[str, Any]) -> str:
    """What a wallet does with the server's transaction (here: an unlocked node account).

    Returns once it is mined: anvil mines right after answering, not before.
    """
    tx = {key: value for key, value in params.items() if key != "chainId"}
    tx_hash = chain.w3.eth.send_transaction(tx)  # type: ignore[arg-type]
    chain.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)
    return tx_hash.to_0x_hex()


def test_a_write_is_encoded_simulated_and_given_gas_headroom(
    chain: Chain, context: ChainContext
) -> None:
    holder = context.deployment.deployer
    prepared = prepare_call(
        context,
        description="Delegate your votes to yourself",
        sender=holder.lower(),
        contract="CoopToken",
        function="delegate",
        args=[holder],
    )
    tx = prepared.tx
    assert tx.sender == holder
    assert tx.to == context.deployment.address("CoopToken")
    assert tx.data.startswith("0x" + DELEGATE_SELECTOR)
    assert (tx.value, tx.chain_id) == (0, chain.chain_id)
    params = tx.wallet_params()
    assert params["chainId"] == hex(chain.chain_id)

    mined = fetch_receipt(chain.w3, _send(chain, params))

    assert mined is not None and mined.succeeded
    # The limit the wallet got covers what the first delegation really costs.
    assert mined.gas_used < tx.gas == mined.gas_limit
    facts = read_member(chain.w3, context.deployment, holder, chain.rpc_url)
    assert facts.delegate == holder
    assert facts.votes == facts.balance > 0


def test_a_write_that_would_revert_is_explained_before_any_wallet(
    chain: Chain, context: ChainContext
) -> None:
    stranger = chain.w3.eth.accounts[5]
    with pytest.raises(WriteRefused) as refused:
        prepare_call(
            context,
            description="Mint",
            sender=stranger,
            contract="CoopToken",
            function="mint",
            args=[stranger, 1],
        )
    assert str(refused.value) == (
        "The contract refused the transaction: only governance may do this, and "
        f"{stranger[:6]}…{stranger[-4:]} is not allowed to."
    )


def test_a_failed_receipt_is_replayed_for_its_custom_error(
    chain: Chain, context: ChainContext
) -> None:
    stranger = chain.w3.eth.accounts[6]
    token = context.deployment.contract(chain.w3, "CoopToken")
    # Sent without simulation (a fixed gas limit), as a wallet might: it is mined and fails.
    tx_hash = _send(
        chain,
        {
            "from": stranger,
            "to": token.address,
            "data": token.encode_abi("mint", args=[stranger, 1]),
            "gas": 200_000,
        },
    )
    mined = fetch_receipt(chain.w3, tx_hash)
    assert mined is not None and not mined.succeeded
    assert not ran_out_of_gas(mined)

    revert = replay_failure(chain.w3, mined, context.decoder)

    assert revert is not None
    assert (revert.name, revert.args) == ("OwnableUnauthorizedAccount", (stranger,))
    assert "only governance may do this" in explain_failed(context, mined)
    outcome = asyncio.run(follow_transaction(context, tx_hash))
    assert not outcome.succeeded
    assert outcome.failure is not None and "only governance may do this" in outcome.failure


def test_running_out_of_gas_is_named(chain: Chain, context: ChainContext) -> None:
    member = chain.w3.eth.accounts[7]
    token = context.deployment.contract(chain.w3, "CoopToken")
    tx_hash = _send(
        chain,
        {
            "from": member,
            "to": token.address,
            "data": token.encode_abi("delegate", args=[member]),
            "gas": 23_000,
        },
    )
    mined = fetch_receipt(chain.w3, tx_hash)
    assert mined is not None and ran_out_of_gas(mined)
    assert explain_failed(context, mined) == tx_text.OUT_OF_GAS


def test_following_a_successful_transaction(chain: Chain, context: ChainContext) -> None:
    member = chain.w3.eth.accounts[8]
    prepared = prepare_call(
        context,
        description="Delegate",
        sender=member,
        contract="CoopToken",
        function="delegate",
        args=[member],
    )
    tx_hash = _send(chain, prepared.tx.wallet_params())

    outcome = asyncio.run(follow_transaction(context, tx_hash))

    assert outcome.succeeded and outcome.failure is None
    assert outcome.mined is not None
    assert (
        outcome.mined.block_number == chain.w3.eth.get_transaction_receipt(tx_hash)["blockNumber"]
    )


def test_a_transaction_that_never_mines_stops_being_waited_for(context: ChainContext) -> None:
    never = "0x" + "ab" * 32
    outcome = asyncio.run(follow_transaction(context, never, timeout_s=0.3, poll_s=0.05))
    assert outcome.mined is None
    assert outcome.failure is not None and outcome.failure.startswith("Still not mined")


def test_a_member_who_never_delegated_has_no_delegate(chain: Chain, context: ChainContext) -> None:
    facts = read_member(chain.w3, context.deployment, chain.w3.eth.accounts[9], chain.rpc_url)
    assert (facts.delegate, facts.votes, facts.balance) == (ZERO_ADDRESS, 0, 0)
    assert facts.token_symbol == "COOP" and facts.token_decimals == 18
    assert facts.eth_balance > 0
