"""Sign-In with Ethereum for a contract wallet (EIP-1271), against a real contract on anvil."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pytest
from eth_account import Account
from eth_account.messages import defunct_hash_message, encode_defunct
from eth_account.signers.local import LocalAccount
from eth_typing import Hash32
from sqlalchemy.engine import Engine
from web3.contract import Contract

from coop_dashboard.auth import (
    SiweSite,
    session_address,
    sign_in,
    start_sign_in,
    verify_sign_in,
    web3_contract_signature_check,
)
from coop_dashboard.auth.eip1271 import EIP1271_MAGIC_VALUE
from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.transact import Sender
from coop_dashboard.db.engine import create_tables, make_engine
from coop_dashboard.errors import AuthError
from tests.support.chains import Chain


@dataclass
class ContractWallet:
    contract: Contract
    owner: Sender  # a local key, funded so it can flip the refuse-all switch
    owner_key: LocalAccount

    @property
    def address(self) -> str:
        return str(self.contract.address)


def personal_sign(account: LocalAccount, message: str) -> str:
    return account.sign_message(encode_defunct(text=message)).signature.to_0x_hex()


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'auth.db'}")
    create_tables(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def site(chain: Chain) -> SiweSite:
    return SiweSite.for_origin("http://localhost:3000", chain_id=chain.chain_id)


@pytest.fixture
def wallet(chain: Chain, compiled_artifacts: dict[str, Artifact]) -> ContractWallet:
    w3 = chain.w3
    artifact = compiled_artifacts["MockContractWallet"]
    owner_key: LocalAccount = Account.create()
    deployer = Sender.unlocked(w3, w3.eth.accounts[0])
    factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    receipt = deployer.deploy(factory.constructor(owner_key.address), what="MockContractWallet")
    deployer.transfer_eth(owner_key.address, 10**18, what="fund the wallet owner")
    contract = cast(Contract, w3.eth.contract(address=receipt["contractAddress"], abi=artifact.abi))
    owner = Sender.from_private_key(w3, "0x" + owner_key.key.hex())
    return ContractWallet(contract, owner, owner_key)


def test_the_mock_answers_eip1271_for_its_owner_only(wallet: ContractWallet) -> None:
    digest = Hash32(bytes(defunct_hash_message(text="hello")))
    by_owner = wallet.owner_key.unsafe_sign_hash(digest).signature
    by_stranger = Account.create().unsafe_sign_hash(digest).signature
    is_valid = wallet.contract.functions.isValidSignature

    assert is_valid(digest, by_owner).call() == EIP1271_MAGIC_VALUE
    assert is_valid(digest, by_stranger).call() == b"\xff\xff\xff\xff"
    assert is_valid(digest, b"\x01\x02").call() == b"\xff\xff\xff\xff"  # no revert


def test_a_contract_wallet_signs_in_through_its_owner(
    chain: Chain, engine: Engine, site: SiweSite, wallet: ContractWallet
) -> None:
    challenge = start_sign_in(engine, site, wallet.address)
    signature = personal_sign(wallet.owner_key, challenge.message)

    issued = sign_in(engine, site, challenge.message, signature, contract_wallets=chain.w3)

    assert issued.address == wallet.address
    assert session_address(engine, issued.token) == wallet.address


def test_a_stranger_cannot_sign_in_as_the_contract_wallet(
    chain: Chain, engine: Engine, site: SiweSite, wallet: ContractWallet
) -> None:
    challenge = start_sign_in(engine, site, wallet.address)
    signature = personal_sign(Account.create(), challenge.message)

    with pytest.raises(AuthError, match=f"not made by {wallet.address}"):
        sign_in(engine, site, challenge.message, signature, contract_wallets=chain.w3)


def test_a_wallet_refusing_all_signatures_blocks_sign_in_until_it_stops(
    chain: Chain, engine: Engine, site: SiweSite, wallet: ContractWallet
) -> None:
    check = web3_contract_signature_check(chain.w3)
    challenge = start_sign_in(engine, site, wallet.address)
    signature = personal_sign(wallet.owner_key, challenge.message)

    wallet.owner.call(wallet.contract.functions.setRefusesAll(True), what="refuse all")
    with pytest.raises(AuthError, match=f"not made by {wallet.address}"):
        verify_sign_in(engine, site, challenge.message, signature, contract_wallets=check)

    wallet.owner.call(wallet.contract.functions.setRefusesAll(False), what="accept again")
    verified = verify_sign_in(engine, site, challenge.message, signature, contract_wallets=check)
    assert (verified.address, verified.signed_by_contract) == (wallet.address, True)


def test_an_account_without_code_is_not_taken_for_a_contract_wallet(
    chain: Chain, engine: Engine, site: SiweSite
) -> None:
    account = Account.create()
    challenge = start_sign_in(engine, site, account.address)

    with pytest.raises(AuthError, match="is not a contract wallet that accepts it"):
        sign_in(engine, site, challenge.message, "0x" + "ab" * 97, contract_wallets=chain.w3)
    issued = sign_in(
        engine,
        site,
        challenge.message,
        personal_sign(account, challenge.message),
        contract_wallets=chain.w3,
    )
    assert issued.address == account.address
