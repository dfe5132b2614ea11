"""DataLicensing's permit paths on anvil: `buyWithPermit` / `renewWithPermit` take an
EIP-2612 permit for the tier's token (cUSD) instead of a prior approval. A permit that
fails because someone submitted it first (front-run) does not block the purchase when
the allowance covers the price; a bad signature, an expired deadline, a permit for an
ETH tier or below the price are refused with nothing charged."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract

from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.contracts import Deployment
from coop_dashboard.chain.data_licensing import (
    Permit,
    TierTerms,
    pass_id,
    permit_struct,
    permit_typed_data,
    recover_permit_signer,
    token_domain,
)
from coop_dashboard.chain.revert import RevertDecoder
from coop_dashboard.chain.transact import Sender
from coop_dashboard.errors import ChainError
from tests.support.chains import Chain
from tests.support.datasets import emitted
from tests.support.licensing import credited, register_dataset, set_tier
from tests.support.reverts import decoder_for, revert_of

PRICE = 12_345_679  # 12.345679 cUSD
HOUR = 3_600
# Deterministic keys of our own (anvil's accounts are unlocked, but a permit needs a key).
BUYER_KEY = "0x" + "a1" * 32
OTHER_KEY = "0x" + "b2" * 32


@dataclass
class World:
    w3: Web3
    licensing: Contract
    cusd: Contract
    buyer: LocalAccount
    sender: Sender
    dataset: int
    tier: int
    eth_tier: int
    decoder: RevertDecoder


@pytest.fixture
def world(chain: Chain, deployment: Deployment, compiled_artifacts: dict[str, Artifact]) -> World:
    w3 = chain.w3
    licensing = deployment.contract(w3, "DataLicensing")
    registry = deployment.contract(w3, "DatasetRegistry")
    cusd = deployment.contract(w3, "MockStablecoin")
    contributor = Sender.unlocked(w3, w3.eth.accounts[3])
    dataset = register_dataset(registry, contributor, "permit data")
    tier = set_tier(licensing, contributor, dataset, TierTerms(price=PRICE, currency=cusd.address))
    eth_tier = set_tier(
        licensing, contributor, dataset, TierTerms(price=10**15, purpose="evaluation")
    )
    buyer: LocalAccount = Account.from_key(BUYER_KEY)
    Sender.unlocked(w3, w3.eth.accounts[0]).transfer_eth(buyer.address, 10**18, what="gas")
    sender = Sender.from_private_key(w3, BUYER_KEY)
    sender.call(cusd.functions.mint(buyer.address, 10**9), what="faucet")
    return World(
        w3, licensing, cusd, buyer, sender, dataset, tier, eth_tier, decoder_for(compiled_artifacts)
    )


def _permit(world: World, *, value: int = PRICE, deadline_in: int = HOUR) -> Permit:
    now = int(world.w3.eth.get_block("latest")["timestamp"])
    nonce = int(world.cusd.functions.nonces(world.buyer.address).call())
    return Permit(world.buyer.address, world.licensing.address, value, nonce, now + deadline_in)


def _sign(world: World, permit: Permit, key: str = BUYER_KEY) -> bytes:
    domain = token_domain(world.cusd)
    assert domain is not None
    signable = encode_typed_data(full_message=permit_typed_data(domain, permit))
    return bytes(Account.sign_message(signable, private_key=key).signature)


def _balances(world: World) -> tuple[int, int]:
    token = world.cusd.functions
    return (
        token.balanceOf(world.buyer.address).call(),
        token.balanceOf(world.licensing.address).call(),
    )


def test_buy_and_renew_with_a_permit_in_one_transaction_each(world: World) -> None:
    f = world.licensing.functions
    permit = _permit(world)
    signature = _sign(world, permit)
    domain = token_domain(world.cusd)
    assert domain is not None and domain.name == "Coop USD"
    assert recover_permit_signer(domain, permit, signature) == world.buyer.address
    before = _balances(world)
    receipt = world.sender.call(
        f.buyWithPermit(
            world.dataset, world.tier, world.buyer.address, permit_struct(permit, signature)
        ),
        what="buy with permit",
    )
    token = pass_id(world.buyer.address, world.dataset, "research")
    assert f.hasAccess(world.buyer.address, world.dataset, 0).call()
    (bought,) = emitted(world.licensing, "LicensePurchased", receipt)
    assert bought["args"]["tokenId"] == token and bought["args"]["price"] == PRICE
    assert sum(credited(world.licensing, receipt).values()) == PRICE  # split as with buy
    assert _balances(world) == (before[0] - PRICE, before[1] + PRICE)
    assert world.cusd.functions.allowance(world.buyer.address, world.licensing.address).call() == 0
    assert world.cusd.functions.nonces(world.buyer.address).call() == permit.nonce + 1

    expires = f.passOf(token).call()[1]
    renewal = _permit(world)
    receipt = world.sender.call(
        f.renewWithPermit(token, permit_struct(renewal, _sign(world, renewal))),
        what="renew with permit",
    )
    (renewed,) = emitted(world.licensing, "PassRenewed", receipt)
    assert renewed["args"]["previousExpiresAt"] == expires
    assert renewed["args"]["expiresAt"] == expires + 30 * 86_400
    assert _balances(world) == (before[0] - 2 * PRICE, before[1] + 2 * PRICE)


def test_a_front_run_permit_does_not_block_the_purchase(world: World) -> None:
    """Someone copies the signature from the mempool and submits the permit first: the
    nonce is spent, the token refuses it the second time, the allowance is there, the
    purchase goes through."""
    permit = _permit(world)
    signature = _sign(world, permit)
    struct = permit_struct(permit, signature)
    front_runner = Sender.unlocked(world.w3, world.w3.eth.accounts[9])
    front_runner.call(
        world.cusd.functions.permit(
            permit.owner, permit.spender, permit.value, permit.deadline, *struct[2:]
        ),
        what="front-run permit",
    )
    assert world.cusd.functions.allowance(permit.owner, permit.spender).call() == PRICE
    f = world.licensing.functions
    world.sender.call(
        f.buyWithPermit(world.dataset, world.tier, world.buyer.address, struct),
        what="buy after a front-run",
    )
    assert f.hasAccess(world.buyer.address, world.dataset, 0).call()
    assert world.cusd.functions.allowance(permit.owner, permit.spender).call() == 0


@pytest.mark.parametrize(
    "case", ["signed by another key", "expired deadline", "value below the price"]
)
def test_refused_permits_charge_nothing(world: World, case: str) -> None:
    f = world.licensing.functions
    if case == "signed by another key":
        permit = _permit(world)
        signature = _sign(world, permit, key=OTHER_KEY)
        expected = "DataLicensingPermitFailed"
    elif case == "expired deadline":
        permit = _permit(world, deadline_in=-1)
        signature = _sign(world, permit)
        expected = "DataLicensingPermitFailed"
    else:  # the permit is valid, but for less than the price: the transfer is refused
        permit = _permit(world, value=PRICE - 1)
        signature = _sign(world, permit)
        expected = "ERC20InsufficientAllowance"
    call = f.buyWithPermit(
        world.dataset, world.tier, world.buyer.address, permit_struct(permit, signature)
    )
    refusal = revert_of(world.decoder, call, world.buyer.address)
    assert refusal is not None and refusal.name == expected, refusal
    if expected == "DataLicensingPermitFailed":
        assert refusal.args == (world.cusd.address, 0, PRICE)
    before = _balances(world)
    # Sent anyway (gas given, so no estimate refuses it first): mined, reverted, nothing moved.
    tx = call.build_transaction({"from": world.buyer.address, "gas": 400_000})
    with pytest.raises(ChainError, match="reverted"):
        world.sender.send(tx, what=f"buy with a permit: {case}")
    assert _balances(world) == before
    assert not f.hasAccess(world.buyer.address, world.dataset, 0).call()


def test_a_permit_for_an_eth_tier_is_refused(world: World) -> None:
    permit = _permit(world)
    call = world.licensing.functions.buyWithPermit(
        world.dataset,
        world.eth_tier,
        world.buyer.address,
        permit_struct(permit, _sign(world, permit)),
    )
    refusal = revert_of(world.decoder, call, world.buyer.address)
    assert refusal is not None and refusal.name == "DataLicensingPermitForEth"
    assert refusal.args == (world.dataset, world.eth_tier)
