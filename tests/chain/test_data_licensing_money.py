"""DataLicensing's money: re-entry through a malicious receiver and a malicious ERC20,
fee-on-transfer tokens refused, and the invariant "for each currency the contract holds
exactly what accounts can withdraw" over random sequences of actions."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web3 import Web3
from web3.contract import Contract

from coop_dashboard.chain import devchain
from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.contracts import Deployment
from coop_dashboard.chain.data_licensing import ETH_CURRENCY, LicenseClass, TierTerms, split_pass_id
from coop_dashboard.chain.revert import RevertDecoder
from coop_dashboard.chain.transact import Sender
from tests.support.chains import Chain, deploy, deploy_artifact
from tests.support.datasets import BOND, act_as_governance, sample_registration
from tests.support.licensing import buy, register_dataset, set_tier
from tests.support.reverts import decoder_for, revert_of

ACCEPT, REENTER, REJECT = 0, 1, 2
HONEST, FEE_ON_TRANSFER, REENTER_BUY, REENTER_WITHDRAW = 0, 1, 2, 3
PRICE = 10**16


def test_a_reentering_receiver_is_paid_once_and_a_reverting_one_blocks_nobody(
    chain: Chain, deployment: Deployment, compiled_artifacts: dict[str, Artifact]
) -> None:
    w3 = chain.w3
    registry = deployment.contract(w3, "DatasetRegistry")
    licensing = deployment.contract(w3, "DataLicensing")
    receiver = deploy_artifact(
        w3, compiled_artifacts["MaliciousRevenueReceiver"], licensing.address
    )
    driver, buyer = Sender.unlocked(w3, w3.eth.accounts[5]), Sender.unlocked(w3, w3.eth.accounts[6])
    honest = Sender.unlocked(w3, w3.eth.accounts[7])

    def as_receiver(target: Contract, call: str, value: int = 0) -> None:
        driver.call(receiver.functions.execute(target.address, call), what="execute", value=value)

    registration = sample_registration("attacker's data").as_struct()
    as_receiver(registry, registry.encode_abi("register", args=[registration]), value=BOND)
    dataset = int(registry.functions.datasetCount().call())
    terms = TierTerms(price=PRICE).as_struct()
    as_receiver(licensing, licensing.encode_abi("setTier", args=[dataset, 0, terms]))
    honest_dataset = register_dataset(registry, honest, "honest data")
    set_tier(licensing, honest, honest_dataset, TierTerms(price=PRICE))
    for target in (dataset, dataset, honest_dataset):
        buy(
            w3,
            deployment,
            licensing,
            buyer,
            target,
            0,
            holder=Web3.to_checksum_address(f"0x{target + 7:040x}"),
        )
    owed = licensing.functions.creditOf(receiver.address, ETH_CURRENCY).call()
    assert owed > 0

    # Re-entering withdraw on receipt: refused by the guard; paid exactly once.
    driver.call(receiver.functions.setMode(REENTER), what="arm")
    as_receiver(licensing, licensing.encode_abi("withdraw", args=[ETH_CURRENCY]))
    assert receiver.functions.reentryAttempts().call() == 1
    assert receiver.functions.reentrySuccesses().call() == 0
    assert w3.eth.get_balance(receiver.address) == owed
    assert licensing.functions.creditOf(receiver.address, ETH_CURRENCY).call() == 0

    # A receiver that reverts fails only its own withdrawal; its credit stays.
    buy(w3, deployment, licensing, buyer, dataset, 0)
    owed = licensing.functions.creditOf(receiver.address, ETH_CURRENCY).call()
    driver.call(receiver.functions.setMode(REJECT), what="reject")
    decoder = decoder_for(compiled_artifacts)
    function = receiver.functions.execute(
        licensing.address, licensing.encode_abi("withdraw", args=[ETH_CURRENCY])
    )
    assert revert_of(decoder, function, driver.address) is not None
    honest.call(licensing.functions.withdraw(ETH_CURRENCY), what="honest withdraws")
    assert licensing.functions.creditOf(receiver.address, ETH_CURRENCY).call() == owed
    treasury = deployment.address("CoopTimelock")
    still_owed = owed + licensing.functions.creditOf(treasury, ETH_CURRENCY).call()
    assert w3.eth.get_balance(licensing.address) == still_owed


def test_a_malicious_token_cannot_reenter_and_fee_on_transfer_is_refused(
    chain: Chain, deployment: Deployment, compiled_artifacts: dict[str, Artifact]
) -> None:
    w3 = chain.w3
    registry = deployment.contract(w3, "DatasetRegistry")
    licensing = deployment.contract(w3, "DataLicensing")
    token = deploy_artifact(w3, compiled_artifacts["MaliciousLicenseToken"])
    governance = act_as_governance(w3, deployment)
    governance.call(licensing.functions.setCurrencyAllowed(token.address, True), what="allow")
    seller, buyer = Sender.unlocked(w3, w3.eth.accounts[3]), Sender.unlocked(w3, w3.eth.accounts[4])
    dataset = register_dataset(registry, seller, "sold for a strange token")
    tier = set_tier(licensing, seller, dataset, TierTerms(price=1_000_000, currency=token.address))
    for who in (buyer.address, token.address):
        buyer.call(token.functions.mint(who, 10**12), what="mint")
    buyer.call(token.functions.approve(licensing.address, 10**12), what="approve")
    decoder = decoder_for(compiled_artifacts)
    f = licensing.functions

    # Re-entering buy from inside the payment: the guard refuses it, the outer buy completes.
    buyer.call(token.functions.setMode(REENTER_BUY, licensing.address, dataset, tier), what="arm")
    buyer.call(f.buy(dataset, tier, buyer.address), what="buy")
    assert token.functions.reentryAttempts().call() == 1
    assert token.functions.reentrySuccesses().call() == 0
    assert f.hasAccess(token.address, dataset, 0).call() is False
    assert token.functions.balanceOf(licensing.address).call() == 1_000_000

    # Re-entering withdraw from inside a withdrawal's transfer: refused too.
    buyer.call(token.functions.setMode(REENTER_WITHDRAW, licensing.address, 0, 0), what="arm")
    owed = f.creditOf(seller.address, token.address).call()
    seller.call(f.withdraw(token.address), what="withdraw")
    assert token.functions.reentrySuccesses().call() == 0
    assert token.functions.balanceOf(seller.address).call() == owed
    assert token.functions.balanceOf(licensing.address).call() == 1_000_000 - owed

    # Fee-on-transfer: fewer tokens arrive than the price, so the sale is refused.
    buyer.call(token.functions.setMode(FEE_ON_TRANSFER, licensing.address, 0, 0), what="skim")
    other = Sender.unlocked(w3, w3.eth.accounts[8])
    refusal = revert_of(decoder, f.buy(dataset, tier, other.address), buyer.address)
    assert refusal is not None and refusal.name == "DataLicensingShortPayment"
    assert refusal.args == (990_000, 1_000_000)


# ---------------------------------------------------------------- invariant


@dataclass
class World:
    deployment: Deployment
    licensing: Contract
    registry: Contract
    cusd: Contract
    governance: Sender
    contributors: list[Sender]
    buyers: list[Sender]
    decoder: RevertDecoder
    treasury: str


@dataclass
class Model:
    tiers: list[tuple[int, int]] = field(default_factory=list)  # (dataset, tier index)
    datasets: list[int] = field(default_factory=list)
    passes: list[int] = field(default_factory=list)
    revoked: set[int] = field(default_factory=set)


Action = tuple[str, int, int]
# Every example starts with a source, a derived dataset and a tier in each currency, so
# the random part spends its steps on sales, renewals, revocations and withdrawals.
SETUP: list[Action] = [("dataset", 1, 0), ("dataset", 2, 0), ("tier", 1, 5), ("tier", 2, 7)]

ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["dataset", "tier", "buy", "renew", "revoke", "withdraw", "wait", "pause"]),
        st.integers(min_value=0, max_value=1_000),
        st.integers(min_value=0, max_value=1_000_000),
    ),
    min_size=1,
    max_size=10,
)


@pytest.fixture(scope="module")
def world(chain: Chain, compiled_artifacts: dict[str, Artifact]) -> Iterator[World]:
    deployment = deploy(chain, compiled_artifacts)
    w3 = chain.w3
    registry = deployment.contract(w3, "DatasetRegistry")
    licensing = deployment.contract(w3, "DataLicensing")
    cusd = deployment.contract(w3, "MockStablecoin")
    governance = act_as_governance(w3, deployment)
    role = registry.functions.CURATOR_ROLE().call()
    contributors = [Sender.unlocked(w3, a) for a in w3.eth.accounts[10:13]]
    buyers = [Sender.unlocked(w3, a) for a in w3.eth.accounts[13:16]]
    for curator in contributors[:2]:
        governance.call(registry.functions.grantRole(role, curator.address), what="grant")
    for buyer in buyers:
        buyer.call(cusd.functions.mint(buyer.address, 10**15), what="faucet")
        buyer.call(cusd.functions.approve(licensing.address, 10**15), what="approve")
    yield World(
        deployment,
        licensing,
        registry,
        cusd,
        governance,
        contributors,
        buyers,
        decoder_for(compiled_artifacts),
        deployment.address("CoopTimelock"),
    )


def _accounts(world: World) -> list[str]:
    return [s.address for s in world.contributors + world.buyers] + [world.treasury]


def _apply(w3: Web3, world: World, model: Model, action: Action, step: int) -> None:
    kind, choice, amount = action
    f = world.licensing.functions
    if kind == "dataset":
        who = world.contributors[choice % len(world.contributors)]
        parents = (
            tuple(sorted(set(model.datasets[-(1 + choice % 2) :])))
            if model.datasets and choice % 3
            else ()
        )
        dataset = register_dataset(world.registry, who, f"d{step}-{choice}", parents=parents)
        who.call(
            f.declareLicense(dataset, LicenseClass("all", True, False).as_struct()), what="declare"
        )
        model.datasets.append(dataset)
        curator = world.contributors[choice % 2]
        if choice % 4 == 0:
            curator.call(world.registry.functions.attest(dataset, 60, ""), what="attest")
    elif kind == "tier" and model.datasets:
        dataset = model.datasets[choice % len(model.datasets)]
        owner = Sender.unlocked(w3, world.registry.functions.contributorOf(dataset).call())
        currency = world.cusd.address if choice % 2 else ETH_CURRENCY
        price = amount + 1 if currency != ETH_CURRENCY else (amount + 1) * 10**9 + choice
        purpose = ("research", "evaluation")[choice // 2 % 2]
        terms = TierTerms(
            price=price, currency=currency, duration_s=86_400 * (1 + choice % 5), purpose=purpose
        )
        index = set_tier(world.licensing, owner, dataset, terms)
        model.tiers.append((dataset, index))
    elif kind == "buy" and model.tiers:
        dataset, index = model.tiers[choice % len(model.tiers)]
        buyer = world.buyers[choice % len(world.buyers)]
        holder = world.buyers[amount % len(world.buyers)].address
        purpose = f.tierOf(dataset, index).call()[2]
        token = f.passId(holder, dataset, purpose).call()
        licensable = world.registry.functions.isLicensable(dataset).call()
        if token in model.revoked or not licensable:
            price = f.tierOf(dataset, index).call()[7]
            value = price if f.tierOf(dataset, index).call()[0] == ETH_CURRENCY else 0
            refusal = revert_of(world.decoder, f.buy(dataset, index, holder), buyer.address, value)
            assert refusal is not None
            assert refusal.name in ("DataLicensingPassRevoked", "DataLicensingNotLicensable")
            return
        buy(w3, world.deployment, world.licensing, buyer, dataset, index, holder=holder)
        if token not in model.passes:
            model.passes.append(token)
    elif kind == "renew" and model.passes:
        token = model.passes[choice % len(model.passes)]
        stored = f.passOf(token).call()
        dataset = (token >> 8) & (2**64 - 1)
        tier = f.tierOf(dataset, stored[2]).call()
        buyer = world.buyers[choice % len(world.buyers)]
        value = tier[7] if tier[0] == ETH_CURRENCY else 0
        if token in model.revoked or not world.registry.functions.isLicensable(dataset).call():
            assert revert_of(world.decoder, f.renew(token), buyer.address, value) is not None
            return
        if tier[0] != ETH_CURRENCY:
            # buy() approves exactly its price, so an earlier purchase may have used the
            # buyer's allowance up: a cUSD renewal approves its own price, as a wallet would.
            approve = world.cusd.functions.approve(world.licensing.address, tier[7])
            buyer.call(approve, what="approve")
        buyer.call(f.renew(token), what="renew", value=value)
    elif kind == "revoke" and model.passes:
        token = model.passes[choice % len(model.passes)]
        if token not in model.revoked:
            world.governance.call(f.revokePass(token, "bafyreason"), what="revoke")
            model.revoked.add(token)
    elif kind == "withdraw":
        accounts = _accounts(world)
        account = accounts[choice % len(accounts)]
        currency = world.cusd.address if amount % 2 else ETH_CURRENCY
        who = world.governance if account == world.treasury else Sender.unlocked(w3, account)
        if f.creditOf(account, currency).call() == 0:
            refusal = revert_of(world.decoder, f.withdraw(currency), account)
            assert refusal is not None and refusal.name == "DataLicensingNothingToWithdraw"
            return
        who.call(f.withdraw(currency), what="withdraw")
        assert f.creditOf(account, currency).call() == 0
    elif kind == "wait":
        devchain.increase_time(w3, 86_400 * (1 + amount % 6))
    elif kind == "pause" and model.datasets:
        dataset = model.datasets[choice % len(model.datasets)]
        owner = Sender.unlocked(w3, world.registry.functions.contributorOf(dataset).call())
        paused = not world.registry.functions.isLicensable(dataset).call()
        function = world.registry.functions
        owner.call(
            function.resumeLicensing(dataset) if paused else function.pauseLicensing(dataset),
            what="pause",
        )


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(actions=ACTIONS)
def test_each_currency_balance_equals_what_accounts_can_withdraw(
    chain: Chain, world: World, actions: list[Action]
) -> None:
    w3 = chain.w3
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
    model = Model()
    f = world.licensing.functions
    try:
        for step, action in enumerate(SETUP + actions):
            _apply(w3, world, model, action, step)
            accounts = _accounts(world)
            eth_owed = sum(f.creditOf(a, ETH_CURRENCY).call() for a in accounts)
            cusd_owed = sum(f.creditOf(a, world.cusd.address).call() for a in accounts)
            assert w3.eth.get_balance(world.licensing.address) == eth_owed
            assert world.cusd.functions.balanceOf(world.licensing.address).call() == cusd_owed
        now = devchain.latest_timestamp(w3)
        for token in model.passes:
            holder, expires_at, _, revoked = f.passOf(token).call()
            holder_in_id, dataset, purpose = split_pass_id(token)
            assert holder.lower() == holder_in_id
            assert revoked == (token in model.revoked)
            if expires_at > now + 1:
                assert f.hasAccess(holder, dataset, purpose).call() == (not revoked)
    finally:
        w3.provider.make_request("evm_revert", [snapshot])  # type: ignore[arg-type]
