"""DataLicensing on anvil: tiers and their compatibility with parents, soulbound passes,
renewals, revocations, splits for odd prices at every depth, cUSD, withdrawals."""

from __future__ import annotations

from dataclasses import replace

import pytest
from web3 import Web3
from web3.contract import Contract

from coop_dashboard.chain import devchain
from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.contracts import Deployment
from coop_dashboard.chain.data_licensing import (
    ETH_CURRENCY,
    LicenseClass,
    TierTerms,
    pass_id,
    sale_split,
    source_name,
    split_pass_id,
)
from coop_dashboard.chain.revert import DecodedRevert, RevertDecoder
from coop_dashboard.chain.transact import Sender
from tests.support.chains import Chain
from tests.support.datasets import act_as_governance, emitted
from tests.support.licensing import (
    buy,
    credited,
    expected_split,
    read_shares,
    register_dataset,
    set_tier,
)
from tests.support.reverts import decoder_for, revert_of

DAY = 86_400
RESEARCH, COMMERCIAL = 0, 1
ERC5192_ID = bytes.fromhex("b45a3c0e")


@pytest.fixture
def licensing(chain: Chain, deployment: Deployment) -> Contract:
    return deployment.contract(chain.w3, "DataLicensing")


@pytest.fixture
def registry(chain: Chain, deployment: Deployment) -> Contract:
    return deployment.contract(chain.w3, "DatasetRegistry")


@pytest.fixture
def decoder(compiled_artifacts: dict[str, Artifact]) -> RevertDecoder:
    return decoder_for(compiled_artifacts)


@pytest.fixture
def governance(chain: Chain, deployment: Deployment) -> Sender:
    return act_as_governance(chain.w3, deployment)


def _sender(chain: Chain, index: int) -> Sender:
    return Sender.unlocked(chain.w3, chain.w3.eth.accounts[index])


def _refused(
    decoder: RevertDecoder, function: object, who: Sender, value: int = 0
) -> DecodedRevert:
    decoded = revert_of(decoder, function, who.address, value)  # type: ignore[arg-type]
    assert decoded is not None, "the call succeeded"
    return decoded


def test_tiers_are_checked_and_compatible_with_every_parent(
    chain: Chain,
    deployment: Deployment,
    licensing: Contract,
    registry: Contract,
    decoder: RevertDecoder,
    governance: Sender,
) -> None:
    alice, bob, carol = _sender(chain, 3), _sender(chain, 4), _sender(chain, 5)
    stablecoin = deployment.address("MockStablecoin")
    source_nc = register_dataset(registry, alice, "non-commercial source")
    source_sa = register_dataset(registry, bob, "share-alike source")
    bare = register_dataset(registry, carol, "source with no terms")
    f = licensing.functions
    nc = LicenseClass("non_commercial", attribution=True, share_alike=False)
    alice.call(f.declareLicense(source_nc, nc.as_struct()), what="declare")
    # bob declares nothing: his active tiers say what he allows (share-alike, all uses).
    sa_terms = TierTerms(price=10**15, license_class=LicenseClass("all", True, True))
    assert set_tier(licensing, bob, source_sa, sa_terms) == 0
    receipt_tier = set_tier(
        licensing, bob, source_sa, replace(sa_terms, currency=stablecoin, price=7)
    )
    assert receipt_tier == 1
    assert f.tierCount(source_sa).call() == 2
    assert f.allowedClassOf(source_sa).call() == (0, True, True)
    # Nothing declared, no tier: the safest assumption (academic, attribution, share-alike).
    assert f.allowedClassOf(bare).call() == (2, True, True)

    child = register_dataset(registry, carol, "merged", parents=(source_nc, source_sa))
    setter = lambda terms, index=0: f.setTier(child, index, terms.as_struct())  # noqa: E731
    commercial = TierTerms(price=10**15, license_class=LicenseClass("all", True, True))
    refusal = _refused(decoder, setter(commercial), carol)
    assert refusal.name == "DataLicensingIncompatibleWithParent"
    assert refusal.args == (source_nc, (1, True, False))
    not_share_alike = TierTerms(
        price=10**15, license_class=LicenseClass("non_commercial", True, False)
    )
    refusal = _refused(decoder, setter(not_share_alike), carol)
    assert refusal.args == (source_sa, (0, True, True))
    no_attribution = TierTerms(price=1, license_class=LicenseClass("academic", False, True))
    assert _refused(decoder, setter(no_attribution), carol).args[0] == source_nc
    ok = TierTerms(price=10**15, license_class=LicenseClass("non_commercial", True, True))
    receipt = carol.call(setter(ok), what="compatible tier")
    (event,) = emitted(licensing, "TierSet", receipt)
    assert event["args"]["datasetId"] == child and event["args"]["price"] == 10**15
    assert event["args"]["use"] == 1 and event["args"]["shareAlike"] is True

    # A child of the bare source may only be academic, attributed, share-alike.
    grandchild = register_dataset(registry, carol, "of bare", parents=(bare,))
    academic = TierTerms(price=5, license_class=LicenseClass("academic", True, True))
    set_tier(licensing, carol, grandchild, academic)
    assert _refused(decoder, f.setTier(grandchild, 1, ok.as_struct()), carol).args[0] == bare

    # Bad terms, the wrong caller, unknown datasets and tiers.
    cases = [
        (f.setTier(child, 1, replace(ok, price=0).as_struct()), carol, "DataLicensingZeroPrice"),
        (
            f.setTier(child, 1, replace(ok, currency=registry.address).as_struct()),
            carol,
            "DataLicensingCurrencyNotAllowed",
        ),
        (
            f.setTier(child, 1, replace(ok, duration_s=0).as_struct()),
            carol,
            "DataLicensingInvalidDuration",
        ),
        (
            f.setTier(
                source_sa,
                2,
                replace(sa_terms, purpose="commercial_training", license_class=nc).as_struct(),
            ),
            bob,
            "DataLicensingPurposeNeedsCommercialUse",
        ),
        (f.setTier(child, 1, ok.as_struct()), alice, "DataLicensingNotContributor"),
        (f.setTier(child, 5, ok.as_struct()), carol, "DataLicensingUnknownTier"),
        (f.setTier(999, 0, ok.as_struct()), carol, "DataLicensingUnknownDataset"),
        (f.setTierActive(child, 3, False), carol, "DataLicensingUnknownTier"),
        (f.declareLicense(child, nc.as_struct()), alice, "DataLicensingNotContributor"),
    ]
    for function, who, error in cases:
        assert _refused(decoder, function, who).name == error, error

    # Deactivating bob's tiers tightens what his children may offer (nothing known now).
    bob.call(f.setTierActive(source_sa, 0, False), what="deactivate")
    bob.call(f.setTierActive(source_sa, 1, False), what="deactivate")
    assert f.allowedClassOf(source_sa).call() == (2, True, True)
    # A delisted dataset takes no tier.
    governance.call(registry.functions.delist(child, "bafyreason"), what="delist")
    assert _refused(decoder, setter(ok, 1), carol).name == "DataLicensingNotLicensable"


def test_buying_mints_a_soulbound_pass_that_renews_expires_and_can_be_revoked(
    chain: Chain,
    licensing: Contract,
    registry: Contract,
    decoder: RevertDecoder,
    governance: Sender,
    deployment: Deployment,
) -> None:
    w3 = chain.w3
    alice, buyer, provider = _sender(chain, 3), _sender(chain, 4), _sender(chain, 5)
    dataset = register_dataset(registry, alice, "licensed")
    f = licensing.functions
    tier = set_tier(licensing, alice, dataset, TierTerms(price=10**16, duration_s=10 * DAY))

    # Bought by one address for another (a compute provider working for it).
    receipt = buy(w3, deployment, licensing, buyer, dataset, tier, holder=provider.address)
    token = pass_id(provider.address, dataset, "research")
    assert f.passId(provider.address, dataset, RESEARCH).call() == token
    assert split_pass_id(token) == (provider.address.lower(), dataset, RESEARCH)
    (purchased,) = emitted(licensing, "LicensePurchased", receipt)
    assert purchased["args"]["buyer"] == buyer.address
    assert purchased["args"]["holder"] == provider.address
    (locked,) = emitted(licensing, "Locked", receipt)
    assert locked["args"]["tokenId"] == token
    assert f.ownerOf(token).call() == provider.address
    assert f.locked(token).call() is True
    assert f.supportsInterface(ERC5192_ID).call() is True
    assert f.hasAccess(provider.address, dataset, RESEARCH).call() is True
    assert f.hasAccess(buyer.address, dataset, RESEARCH).call() is False
    assert f.hasAccess(provider.address, dataset, COMMERCIAL).call() is False
    assert f.hasAccess(provider.address, dataset + 1, RESEARCH).call() is False

    # Soulbound: transfers and approvals are refused.
    for function in (
        f.transferFrom(provider.address, buyer.address, token),
        f.safeTransferFrom(provider.address, buyer.address, token),
        f.approve(buyer.address, token),
        f.setApprovalForAll(buyer.address, True),
    ):
        assert _refused(decoder, function, provider).name == "DataLicensingSoulbound"

    # Renewing early extends from the current expiry; after expiry, from now.
    first_expiry = f.passOf(token).call()[1]
    receipt = buyer.call(f.renew(token), what="renew", value=10**16)
    (renewed,) = emitted(licensing, "PassRenewed", receipt)
    assert renewed["args"]["previousExpiresAt"] == first_expiry
    assert renewed["args"]["expiresAt"] == first_expiry + 10 * DAY
    assert f.balanceOf(provider.address).call() == 1  # the same pass, not a second one
    devchain.increase_time(w3, 21 * DAY)
    devchain.mine(w3)
    assert f.hasAccess(provider.address, dataset, RESEARCH).call() is False
    receipt = buy(w3, deployment, licensing, provider, dataset, tier)
    now = w3.eth.get_block(receipt["blockNumber"])["timestamp"]
    assert f.passOf(token).call()[1] == now + 10 * DAY
    assert f.hasAccess(provider.address, dataset, RESEARCH).call() is True

    # Wrong payment, unknown pass.
    assert _refused(decoder, f.buy(dataset, tier, buyer.address), buyer, 1).name == (
        "DataLicensingWrongPayment"
    )
    assert _refused(decoder, f.renew(token + 1), buyer, 10**16).name == "DataLicensingUnknownPass"
    assert _refused(decoder, f.buy(dataset, tier, ETH_CURRENCY), buyer, 10**16).name == (
        "DataLicensingZeroAddress"
    )

    # Paused or delisted: no sale; the pass stays valid until revoked.
    registry_f = registry.functions
    alice.call(registry_f.pauseLicensing(dataset), what="pause")
    assert _refused(decoder, f.buy(dataset, tier, buyer.address), buyer, 10**16).name == (
        "DataLicensingNotLicensable"
    )
    alice.call(registry_f.resumeLicensing(dataset), what="resume")
    alice.call(f.setTierActive(dataset, tier, False), what="withdraw tier")
    assert _refused(decoder, f.buy(dataset, tier, buyer.address), buyer, 10**16).name == (
        "DataLicensingTierInactive"
    )
    alice.call(f.setTierActive(dataset, tier, True), what="offer again")
    governance.call(registry_f.delist(dataset, "bafyreason"), what="delist")
    assert _refused(decoder, f.renew(token), buyer, 10**16).name == "DataLicensingNotLicensable"
    assert f.hasAccess(provider.address, dataset, RESEARCH).call() is True

    # Revoked: no access, no renewal, no second revocation; the reason is in the event.
    assert (
        _refused(decoder, f.revokePass(token, ""), governance).name == "DataLicensingInvalidReason"
    )
    receipt = governance.call(f.revokePass(token, "bafymisuse"), what="revoke")
    (revoked,) = emitted(licensing, "PassRevoked", receipt)
    assert revoked["args"]["reasonCid"] == "bafymisuse"
    assert revoked["args"]["holder"] == provider.address
    assert f.hasAccess(provider.address, dataset, RESEARCH).call() is False
    assert f.passOf(token).call()[3] is True
    assert _refused(decoder, f.revokePass(token, "bafyagain"), governance).name == (
        "DataLicensingPassRevoked"
    )


def test_renewing_or_rebuying_a_revoked_pass_is_refused(
    chain: Chain,
    licensing: Contract,
    registry: Contract,
    decoder: RevertDecoder,
    governance: Sender,
    deployment: Deployment,
) -> None:
    alice, buyer = _sender(chain, 3), _sender(chain, 4)
    dataset = register_dataset(registry, alice, "revocable")
    tier = set_tier(licensing, alice, dataset, TierTerms(price=10**15))
    buy(chain.w3, deployment, licensing, buyer, dataset, tier)
    token = pass_id(buyer.address, dataset, "research")
    governance.call(licensing.functions.revokePass(token, "bafymisuse"), what="revoke")
    for function in (
        licensing.functions.renew(token),
        licensing.functions.buy(dataset, tier, buyer.address),
    ):
        assert _refused(decoder, function, buyer, 10**15).name == "DataLicensingPassRevoked"
    assert chain.w3.eth.get_balance(licensing.address) == 10**15  # only the first sale


def _lineage(registry: Contract, contributors: list[Sender], depth: int) -> list[int]:
    """A chain of datasets: ids[0] is a source, ids[k] derives from ids[k-1] and, at
    even k, also from an extra source (so levels have one or two parents)."""
    ids = [register_dataset(registry, contributors[0], "root")]
    for level in range(1, depth + 1):
        parents = [ids[-1]]
        if level % 2 == 0:
            parents.append(register_dataset(registry, contributors[level % 4], f"side {level}"))
        ids.append(
            register_dataset(
                registry, contributors[level % 4], f"level {level}", parents=tuple(sorted(parents))
            )
        )
    return ids


@pytest.mark.parametrize("depth", [0, 1, 2, 3, 4, 5])
def test_split_sums_to_the_price_at_every_depth_and_odd_price(
    chain: Chain,
    deployment: Deployment,
    licensing: Contract,
    registry: Contract,
    governance: Sender,
    depth: int,
) -> None:
    w3 = chain.w3
    contributors = [_sender(chain, i) for i in (3, 4, 5, 6)]
    curators = [_sender(chain, i) for i in (7, 8, 9)]
    ids = _lineage(registry, contributors, depth)
    sold = ids[-1]
    role = registry.functions.CURATOR_ROLE().call()
    for curator in curators:
        governance.call(registry.functions.grantRole(role, curator.address), what="grant")
        curator.call(registry.functions.attest(sold, 80, ""), what="attest")
    # A royalty high enough that value reaches the fourth generation even at small prices.
    governance.call(licensing.functions.setShares(700, 1_100, 5_000), what="set shares")
    seller = Sender.unlocked(w3, registry.functions.contributorOf(sold).call())
    least_restrictive = LicenseClass("academic", True, True)
    treasury = deployment.address("CoopTimelock")
    buyer = _sender(chain, 10)
    for price in (1, 7, 10**4 + 3, 999_999_999_999_999_997):
        terms = TierTerms(price=price, license_class=least_restrictive)
        receipt = buy(
            w3, deployment, licensing, buyer, sold, set_tier(licensing, seller, sold, terms)
        )
        got = credited(licensing, receipt)
        assert got == expected_split(
            price,
            read_shares(licensing),
            sold,
            treasury,
            lambda d: registry.functions.contributorOf(d).call(),
            lambda d: list(registry.functions.parentsOf(d).call()),
            [c.address for c in curators],
        )
        assert sum(got.values()) == price
        # Credit by credit: who, as what, through which dataset, in which currency.
        events = [e["args"] for e in emitted(licensing, "RevenueCredited", receipt)]
        rule = sale_split(
            price,
            read_shares(licensing),
            sold,
            treasury,
            lambda d: registry.functions.contributorOf(d).call(),
            lambda d: list(registry.functions.parentsOf(d).call()),
            [c.address for c in curators],
        )
        assert sorted(
            (a["account"], source_name(a["source"]), a["earningDatasetId"], a["amount"])
            for a in events
        ) == sorted((s.account, s.source, s.earning_dataset_id, s.amount) for s in rule)
        assert {(a["currency"], a["saleDatasetId"]) for a in events} == {(ETH_CURRENCY, sold)}
        if depth >= 1 and price > 10**4:
            assert {a["source"] for a in events} == {0, 1, 2, 3}


def test_cusd_sales_and_withdrawals_per_currency(
    chain: Chain,
    deployment: Deployment,
    licensing: Contract,
    registry: Contract,
    decoder: RevertDecoder,
    governance: Sender,
) -> None:
    w3 = chain.w3
    alice, bob, buyer = _sender(chain, 3), _sender(chain, 4), _sender(chain, 10)
    cusd = deployment.contract(w3, "MockStablecoin")
    parent = register_dataset(registry, bob, "parent")
    child = register_dataset(registry, alice, "child", parents=(parent,))
    f = licensing.functions
    bob.call(f.declareLicense(parent, LicenseClass("all", True, False).as_struct()), what="declare")
    cusd_tier = set_tier(
        licensing, alice, child, TierTerms(price=12_345_679, currency=cusd.address)
    )
    eth_tier = set_tier(licensing, alice, child, TierTerms(price=3 * 10**15, purpose="evaluation"))
    buyer.call(cusd.functions.mint(buyer.address, 10**9), what="faucet")
    assert _refused(decoder, f.buy(child, cusd_tier, buyer.address), buyer, 1).name == (
        "DataLicensingWrongPayment"
    )
    receipt = buy(w3, deployment, licensing, buyer, child, cusd_tier)
    # No curator attested: the curators' share stays with the contributor.
    assert credited(licensing, receipt) == expected_split(
        12_345_679,
        read_shares(licensing),
        child,
        deployment.address("CoopTimelock"),
        lambda d: registry.functions.contributorOf(d).call(),
        lambda d: list(registry.functions.parentsOf(d).call()),
        [],
    )
    buy(w3, deployment, licensing, buyer, child, eth_tier)
    assert (
        f.hasAccess(buyer.address, child, 0).call() and f.hasAccess(buyer.address, child, 2).call()
    )
    assert cusd.functions.balanceOf(licensing.address).call() == 12_345_679
    treasury = deployment.address("CoopTimelock")
    for currency, total in ((cusd.address, 12_345_679), (ETH_CURRENCY, 3 * 10**15)):
        owed = [f.creditOf(a, currency).call() for a in (alice.address, bob.address, treasury)]
        assert sum(owed) == total and all(owed)

    # Withdrawals move exactly the credit, per currency; a second one has nothing left.
    before = cusd.functions.balanceOf(bob.address).call()
    owed_bob = f.creditOf(bob.address, cusd.address).call()
    receipt = bob.call(f.withdraw(cusd.address), what="withdraw cusd")
    (event,) = emitted(licensing, "Withdrawn", receipt)
    assert event["args"]["amount"] == owed_bob
    assert cusd.functions.balanceOf(bob.address).call() == before + owed_bob
    refusal = _refused(decoder, f.withdraw(cusd.address), bob)
    assert refusal.name == "DataLicensingNothingToWithdraw"
    eth_before = w3.eth.get_balance(alice.address)
    owed_alice = f.creditOf(alice.address, ETH_CURRENCY).call()
    receipt = alice.call(f.withdraw(ETH_CURRENCY), what="withdraw eth")
    fee = receipt["gasUsed"] * receipt["effectiveGasPrice"]
    assert w3.eth.get_balance(alice.address) == eth_before + owed_alice - fee
    governance.call(f.withdraw(ETH_CURRENCY), what="treasury withdraws its fee")

    # Governance disallows cUSD: its tier no longer sells; credits stay withdrawable.
    receipt = governance.call(f.setCurrencyAllowed(cusd.address, False), what="disallow")
    (changed,) = emitted(licensing, "CurrencyAllowedSet", receipt)
    assert changed["args"]["oldAllowed"] is True and changed["args"]["allowed"] is False
    assert _refused(decoder, f.buy(child, cusd_tier, buyer.address), buyer).name == (
        "DataLicensingCurrencyNotAllowed"
    )
    assert _refused(decoder, f.setCurrencyAllowed(cusd.address, False), governance).name == (
        "DataLicensingCurrencyUnchanged"
    )
    alice.call(f.withdraw(cusd.address), what="withdraw after disallow")
    governance.call(f.withdraw(cusd.address), what="treasury withdraws cusd")
    assert cusd.functions.balanceOf(licensing.address).call() == 0
    assert w3.eth.get_balance(licensing.address) == f.creditOf(bob.address, ETH_CURRENCY).call()


def test_governance_sets_shares_within_bounds(
    licensing: Contract, decoder: RevertDecoder, governance: Sender
) -> None:
    f = licensing.functions
    old = (f.treasuryFeeBps().call(), f.curatorBps().call(), f.royaltyBps().call())
    receipt = governance.call(f.setShares(100, 200, 300), what="set shares")
    (event,) = emitted(licensing, "SharesSet", receipt)
    assert (
        event["args"]["oldTreasuryFeeBps"],
        event["args"]["oldCuratorBps"],
        event["args"]["oldRoyaltyBps"],
    ) == old
    assert (f.treasuryFeeBps().call(), f.curatorBps().call(), f.royaltyBps().call()) == (
        100,
        200,
        300,
    )
    for bad in ((5_001, 0, 0), (0, 5_001, 0), (0, 0, 5_001)):
        assert _refused(decoder, f.setShares(*bad), governance).name == "DataLicensingInvalidShares"
    assert _refused(decoder, f.setCurrencyAllowed(ETH_CURRENCY, False), governance).name == (
        "DataLicensingZeroAddress"
    )
    assert Web3.is_checksum_address(f.treasury().call())
