"""EIP-1271 fallback without a node: the check is a callable, so stub it.

The same path against a real contract on anvil is in
tests/chain/test_siwe_contract_wallet.py.
"""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_account.messages import defunct_hash_message
from eth_account.signers.local import LocalAccount
from sqlalchemy.engine import Engine
from web3 import Web3

from coop_dashboard.auth import SiweSite, sign_in, start_sign_in, verify_sign_in
from coop_dashboard.auth.eip1271 import (
    EIP1271_MAGIC_VALUE,
    as_contract_signature_check,
    is_magic_value,
    is_valid_signature_call_data,
    web3_contract_signature_check,
)
from coop_dashboard.db.auth_tables import AuthSession
from coop_dashboard.errors import AuthError
from tests.unit.auth.helpers import count_rows, sign

# Stands in for a deployed contract wallet; nothing runs at this address.
WALLET = Web3.to_checksum_address("0x" + "c0" * 20)


class StubWallet:
    """A contract-signature check that records what it was asked."""

    def __init__(self, answer: bool) -> None:
        self.answer = answer
        self.asked: list[tuple[str, bytes, bytes]] = []

    def __call__(self, account: str, message_hash: bytes, signature: bytes) -> bool:
        self.asked.append((account, message_hash, signature))
        return self.answer


def test_a_contract_wallet_that_vouches_signs_in(
    engine: Engine, site: SiweSite, account: LocalAccount
) -> None:
    challenge = start_sign_in(engine, site, WALLET)
    signature = sign(account, challenge.message)  # the wallet's owner signs
    wallet = StubWallet(answer=True)

    verified = verify_sign_in(engine, site, challenge.message, signature, contract_wallets=wallet)

    assert (verified.address, verified.signed_by_contract) == (WALLET, True)
    # EIP-1271 is asked about the EIP-191 hash of the exact text, with the raw bytes.
    assert wallet.asked == [
        (WALLET, bytes(defunct_hash_message(text=challenge.message)), bytes.fromhex(signature[2:]))
    ]


def test_a_contract_wallet_may_use_longer_signatures(
    engine: Engine, site: SiweSite, account: LocalAccount
) -> None:
    challenge = start_sign_in(engine, site, WALLET)
    two_owners = sign(account, challenge.message) + sign(Account.create(), challenge.message)[2:]

    issued = sign_in(
        engine, site, challenge.message, two_owners, contract_wallets=StubWallet(answer=True)
    )
    assert issued.address == WALLET


def test_a_contract_wallet_that_refuses_gives_a_clear_reason(
    engine: Engine, site: SiweSite, account: LocalAccount
) -> None:
    challenge = start_sign_in(engine, site, WALLET)
    with pytest.raises(AuthError, match=f"not made by {WALLET}"):
        sign_in(
            engine,
            site,
            challenge.message,
            sign(account, challenge.message),
            contract_wallets=StubWallet(answer=False),
        )
    with pytest.raises(AuthError, match="is not a contract wallet that accepts it"):
        sign_in(
            engine, site, challenge.message, "0x" + "ab" * 97, contract_wallets=StubWallet(False)
        )
    assert count_rows(engine, AuthSession) == 0


def test_an_account_signature_never_asks_the_chain(
    engine: Engine, site: SiweSite, account: LocalAccount
) -> None:
    challenge = start_sign_in(engine, site, account.address)
    wallet = StubWallet(answer=False)

    sign_in(
        engine, site, challenge.message, sign(account, challenge.message), contract_wallets=wallet
    )
    assert wallet.asked == []


def test_an_unreachable_node_is_reported_and_leaves_the_nonce_open(
    engine: Engine, site: SiweSite, account: LocalAccount
) -> None:
    challenge = start_sign_in(engine, site, WALLET)
    signature = sign(account, challenge.message)
    # Nothing listens on port 9 (discard) here; the connection is refused at once.
    offline = Web3(Web3.HTTPProvider("http://127.0.0.1:9", request_kwargs={"timeout": 2}))

    with pytest.raises(AuthError, match="Could not reach the chain") as refused:
        sign_in(engine, site, challenge.message, signature, contract_wallets=offline)
    assert refused.value.__cause__ is not None  # kept for logs, never shown
    assert count_rows(engine, AuthSession) == 0

    issued = sign_in(
        engine, site, challenge.message, signature, contract_wallets=StubWallet(answer=True)
    )
    assert issued.address == WALLET


def test_a_web3_instance_is_turned_into_a_check() -> None:
    w3 = Web3(Web3.HTTPProvider("http://127.0.0.1:9"))
    assert callable(as_contract_signature_check(w3))
    assert as_contract_signature_check(None) is None
    stub = StubWallet(answer=True)
    assert as_contract_signature_check(stub) is stub
    with pytest.raises(AuthError, match="Could not reach the chain"):
        web3_contract_signature_check(w3)(WALLET, b"\0" * 32, b"\1" * 65)


def test_only_the_exact_magic_word_counts_as_yes() -> None:
    assert is_magic_value(EIP1271_MAGIC_VALUE + b"\0" * 28)
    assert not is_magic_value(EIP1271_MAGIC_VALUE)  # not a full ABI word
    assert not is_magic_value(EIP1271_MAGIC_VALUE + b"\1" + b"\0" * 27)
    assert not is_magic_value(b"\xff\xff\xff\xff" + b"\0" * 28)
    assert not is_magic_value(b"")


def test_call_data_is_is_valid_signature_bytes32_bytes() -> None:
    data = is_valid_signature_call_data(b"\x11" * 32, b"\x22" * 65)
    assert data[:4] == Web3.keccak(text="isValidSignature(bytes32,bytes)")[:4]
    assert data[4:36] == b"\x11" * 32
    assert int.from_bytes(data[36:68], "big") == 64  # offset of the bytes argument
    assert int.from_bytes(data[68:100], "big") == 65
