"""The page's permit path on a real chain and index (services/licensing/purchases.py): the
typed data the wallet is asked to sign, and the server's checks of what comes back -
the signer's own, unused, unexpired permit for at least the price - before
`buyWithPermit` is offered; an ETH tier or an allowance already enough asks no permit."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from web3 import Web3

from coop_dashboard.chain.contracts import Deployment
from coop_dashboard.chain.data_licensing import TierTerms
from coop_dashboard.chain.transact import Sender
from coop_dashboard.config import Settings
from coop_dashboard.indexer.config import IndexerConfig
from coop_dashboard.indexer.service import run_once
from coop_dashboard.services.licensing.inputs import LicensingRefused
from coop_dashboard.services.licensing.purchases import (
    SignedPermit,
    prepare_purchase,
    purchase_permit,
)
from tests.support.chains import Chain
from tests.support.datasets import deployed_settings
from tests.support.licensing import register_dataset, set_tier

PRICE = 7_500_000  # 7.5 cUSD


@dataclass
class World:
    chain: Chain
    settings: Settings
    deployment: Deployment
    buyer: LocalAccount
    dataset: int
    cusd_tier: int
    eth_tier: int


@pytest.fixture
def world(chain: Chain, deployment: Deployment, tmp_path: Path) -> World:
    w3 = chain.w3
    settings = deployed_settings(chain, deployment, tmp_path)
    registry = deployment.contract(w3, "DatasetRegistry")
    licensing = deployment.contract(w3, "DataLicensing")
    cusd = deployment.contract(w3, "MockStablecoin")
    contributor = Sender.unlocked(w3, w3.eth.accounts[3])
    dataset = register_dataset(registry, contributor, "permit page data")
    cusd_tier = set_tier(
        licensing, contributor, dataset, TierTerms(price=PRICE, currency=cusd.address)
    )
    eth_tier = set_tier(
        licensing, contributor, dataset, TierTerms(price=10**15, purpose="evaluation")
    )
    buyer: LocalAccount = Account.create()
    w3.provider.make_request("anvil_setBalance", [buyer.address, hex(10**20)])  # type: ignore[arg-type]
    Sender.unlocked(w3, w3.eth.accounts[0]).call(
        cusd.functions.mint(buyer.address, 100 * 10**6), what="faucet"
    )
    run_once(settings, IndexerConfig())
    return World(chain, settings, deployment, buyer, dataset, cusd_tier, eth_tier)


def _sign(typed: dict[str, Any], account: LocalAccount) -> str:
    signable = encode_typed_data(full_message=typed)
    return "0x" + bytes(account.sign_message(signable).signature).hex()


def _buy(world: World, permit: SignedPermit) -> Any:
    return prepare_purchase(
        world.settings, world.buyer.address, world.dataset, world.cusd_tier, "", permit
    )


def test_the_wallet_signs_a_permit_for_the_price_and_one_transaction_buys(world: World) -> None:
    request = purchase_permit(
        world.settings, world.buyer.address, world.dataset, world.cusd_tier, ""
    )
    assert request is not None and request.value == PRICE
    licensing = world.deployment.address("DataLicensing")
    typed = request.typed_data
    assert typed["primaryType"] == "Permit" and typed["domain"]["name"] == "Coop USD"
    assert typed["message"] == {
        "owner": world.buyer.address,
        "spender": Web3.to_checksum_address(licensing),
        "value": str(PRICE),
        "nonce": "0",
        "deadline": str(request.deadline),
    }
    step = _buy(world, SignedPermit(request.value, request.deadline, _sign(typed, world.buyer)))
    assert not step.is_approval
    assert "paid with your signed permit" in step.write.description
    contract = world.deployment.contract(world.chain.w3, "DataLicensing")
    name, _ = contract.decode_function_input(step.write.tx.data)
    assert name.fn_name == "buyWithPermit"
    assert step.write.tx.value == 0


def test_permits_that_would_fail_are_refused_before_the_wallet(world: World) -> None:
    request = purchase_permit(
        world.settings, world.buyer.address, world.dataset, world.cusd_tier, ""
    )
    assert request is not None
    good = _sign(request.typed_data, world.buyer)
    stranger = _sign(request.typed_data, Account.create())
    cases = [
        (SignedPermit(request.value, request.deadline, stranger), "not signed by your account"),
        (SignedPermit(request.value, request.deadline, "0x1234"), "malformed"),
        (SignedPermit(PRICE - 1, request.deadline, good), "more than you signed for"),
        (SignedPermit(request.value, 1, good), "has expired"),
        # Signed for another deadline than the one kept on the server: not this permit.
        (SignedPermit(request.value, request.deadline + 1, good), "not signed by your account"),
    ]
    for permit, words in cases:
        with pytest.raises(LicensingRefused, match=words):
            _buy(world, permit)


def test_no_permit_for_an_eth_tier_or_an_allowance_already_enough(world: World) -> None:
    settings, buyer = world.settings, world.buyer.address
    assert purchase_permit(settings, buyer, world.dataset, world.eth_tier, "") is None
    cusd = world.deployment.contract(world.chain.w3, "MockStablecoin")
    world.chain.w3.provider.make_request("anvil_impersonateAccount", [buyer])  # type: ignore[arg-type]
    Sender.unlocked(world.chain.w3, buyer).call(
        cusd.functions.approve(world.deployment.address("DataLicensing"), PRICE), what="approve"
    )
    assert purchase_permit(settings, buyer, world.dataset, world.cusd_tier, "") is None
    step = prepare_purchase(settings, buyer, world.dataset, world.cusd_tier, "")
    assert not step.is_approval and step.write.description.endswith("(approved)")
