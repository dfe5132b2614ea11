"""Indexing DataLicensing: a real chain with tiers, declarations, sales in ETH and cUSD
with upstream royalties, renewals, a revocation with a hostile reason, withdrawals and
governance's withdrawal of the treasury fee, on SQLite and PostgreSQL; the read queries
over the result; and a reorg that must leave what a clean index gives."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector
from sqlalchemy import text

from coop_dashboard.chain import devchain
from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.contracts import Deployment, write_manifest
from coop_dashboard.chain.data_licensing import ETH_CURRENCY, LicenseClass, TierTerms, pass_id
from coop_dashboard.chain.transact import Sender
from coop_dashboard.db import licensing_queries as lq
from coop_dashboard.indexer.chain_text import REPLACEMENT
from coop_dashboard.indexer.config import IndexerConfig
from coop_dashboard.indexer.digest import database_digest
from coop_dashboard.indexer.handlers.licensing import token_hex
from coop_dashboard.indexer.service import run_once
from tests.indexer.conftest import engine_for, indexer_settings
from tests.support.chains import Chain, deploy, start_chain
from tests.support.datasets import act_as_governance
from tests.support.governance import pass_proposal
from tests.support.licensing import buy, register_dataset, set_tier

DAY = 86_400
HOSTILE_REASON = b"bafy\xff\x00reason"


@dataclass
class LicensingChain:
    chain: Chain
    deployment: Deployment
    manifest: Path
    accounts: list[Sender]
    governance: Sender


def _start(artifacts: dict[str, Artifact], directory: Path) -> LicensingChain:
    chain = start_chain(directory)
    deployment = deploy(chain, artifacts)
    manifest = directory / "deployment.json"
    write_manifest(deployment, manifest)
    w3 = chain.w3
    accounts = [Sender.unlocked(w3, a) for a in w3.eth.accounts]
    return LicensingChain(chain, deployment, manifest, accounts, act_as_governance(w3, deployment))


def _revoke_raw(world: LicensingChain, token: int, reason: bytes) -> None:
    """Revoke with a reason of raw bytes (invalid UTF-8, NUL), which web3 would refuse."""
    licensing = world.deployment.address("DataLicensing")
    selector = function_signature_to_4byte_selector("revokePass(uint256,string)")
    data = selector + encode(["uint256", "bytes"], [token, reason])
    w3 = world.chain.w3
    tx_hash = w3.eth.send_transaction(
        {"from": world.governance.address, "to": licensing, "data": data, "gas": 300_000}
    )
    assert w3.eth.wait_for_transaction_receipt(tx_hash)["status"] == 1


def _story(world: LicensingChain) -> dict[str, int]:
    w3, d = world.chain.w3, world.deployment
    registry, licensing = d.contract(w3, "DatasetRegistry"), d.contract(w3, "DataLicensing")
    cusd = d.contract(w3, "MockStablecoin")
    alice, bob, carol, buyer, provider = world.accounts[3:8]
    root = register_dataset(registry, alice, "root")
    middle = register_dataset(registry, bob, "middle", parents=(root,))
    leaf = register_dataset(registry, carol, "leaf", parents=(middle,))
    open_class = LicenseClass("all", True, False).as_struct()
    alice.call(licensing.functions.declareLicense(root, open_class), what="declare")
    bob.call(licensing.functions.declareLicense(middle, open_class), what="declare")
    eth_tier = set_tier(licensing, carol, leaf, TierTerms(price=10**17 + 7, duration_s=5 * DAY))
    cusd_terms = TierTerms(price=33_333_333, currency=cusd.address, purpose="evaluation")
    cusd_tier = set_tier(licensing, carol, leaf, cusd_terms)
    spare = set_tier(licensing, carol, leaf, TierTerms(price=5, purpose="other"))
    carol.call(licensing.functions.setTierActive(leaf, spare, False), what="withdraw tier")
    buyer.call(cusd.functions.mint(buyer.address, 10**9), what="faucet")
    buy(w3, d, licensing, buyer, leaf, eth_tier, holder=provider.address)
    buy(w3, d, licensing, buyer, leaf, cusd_tier)
    buy(w3, d, licensing, buyer, leaf, eth_tier)  # buyer's own research pass
    revoked = pass_id(buyer.address, leaf, "research")
    _revoke_raw(world, revoked, HOSTILE_REASON)
    renewed = pass_id(provider.address, leaf, "research")
    buyer.call(licensing.functions.renew(renewed), what="renew", value=10**17 + 7)
    bob.call(licensing.functions.withdraw(ETH_CURRENCY), what="bob withdraws")
    # Governance withdraws the treasury fee in both currencies by a proposal.
    calldatas = [
        bytes.fromhex(licensing.encode_abi("withdraw", args=[currency])[2:])
        for currency in (ETH_CURRENCY, cusd.address)
    ]
    pass_proposal(
        w3,
        d,
        world.accounts[9],
        [licensing.address, licensing.address],
        [0, 0],
        calldatas,
        "# Collect license fees\n\nWithdraw the treasury's credits.",
    )
    return {
        "root": root,
        "middle": middle,
        "leaf": leaf,
        "revoked": revoked,
        "renewed": renewed,
        "now": devchain.latest_timestamp(w3),
    }


@pytest.fixture(scope="module")
def story(
    compiled_artifacts: dict[str, Artifact], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LicensingChain, dict[str, int]]]:
    world = _start(compiled_artifacts, tmp_path_factory.mktemp("licensing"))
    try:
        yield world, _story(world)
    finally:
        world.chain.stop()


def test_the_index_answers_every_licensing_question(
    story: tuple[LicensingChain, dict[str, int]], database_url: str
) -> None:
    world, ids = story
    run_once(indexer_settings(world.chain.rpc_url, world.manifest, database_url), IndexerConfig())
    engine = engine_for(database_url)
    w3 = world.chain.w3
    licensing = world.deployment.contract(w3, "DataLicensing")
    cusd = world.deployment.address("MockStablecoin").lower()
    alice, bob, carol, buyer, provider = (s.address.lower() for s in world.accounts[3:8])
    leaf, middle, root = int(ids["leaf"]), int(ids["middle"]), int(ids["root"])
    now = int(ids["now"])

    tiers = lq.dataset_tiers(engine, leaf)
    assert [(t.tier_index, t.active, t.purpose, t.currency) for t in tiers] == [
        (0, True, "research", ETH_CURRENCY),
        (1, True, "evaluation", cusd),
        (2, False, "other", ETH_CURRENCY),
    ]
    assert tiers[0].price == 10**17 + 7 and tiers[0].use == "all" and tiers[0].duration == 5 * DAY
    assert lq.dataset_tiers(engine, root) == []
    declared = lq.declared_class(engine, root)
    assert declared is not None and (declared.use, declared.share_alike) == ("all", False)
    assert lq.declared_class(engine, leaf) is None

    # Passes: one revoked (with its hostile reason kept as replacement characters), one
    # renewed; their validity agrees with the contract's hasAccess.
    buyer_passes = lq.passes_of(engine, buyer)
    assert {p.purpose for p in buyer_passes} == {"research", "evaluation"}
    revoked = next(p for p in buyer_passes if p.purpose == "research")
    assert revoked.token_id == token_hex(int(ids["revoked"]))
    assert revoked.revoked and not revoked.valid_at(now)
    assert revoked.revoked_reason_cid is not None and REPLACEMENT in revoked.revoked_reason_cid
    (provider_pass,) = lq.passes_of(engine, provider.upper().replace("0X", "0x"))
    assert provider_pass.purchases == 2
    assert provider_pass.expires_at == licensing.functions.passOf(int(ids["renewed"])).call()[1]
    for row in [*buyer_passes, provider_pass]:
        purpose = ("research", "commercial_training", "evaluation", "other").index(row.purpose)
        on_chain = licensing.functions.hasAccess(
            w3.to_checksum_address(row.holder), leaf, purpose
        ).call()
        assert row.valid_at(devchain.latest_timestamp(w3)) == on_chain
    assert lq.access_pass(engine, provider, leaf, "research", now) == provider_pass
    assert lq.access_pass(engine, buyer, leaf, "research", now) is None
    assert lq.access_pass(engine, buyer, leaf, None, now) is not None  # the evaluation pass
    assert lq.access_pass(engine, provider, leaf, "research", provider_pass.expires_at) is None
    assert len(lq.dataset_passes(engine, leaf)) == 3
    assert lq.sales_count(engine, leaf) == 4

    # Earnings by source, and balances that match the contract's credits.
    by_source = {(e.currency, e.source) for e in lq.earnings_of(engine, bob)}
    assert by_source == {(ETH_CURRENCY, "upstream_royalty"), (cusd, "upstream_royalty")}
    assert {e.source for e in lq.earnings_of(engine, carol)} == {"sale"}
    treasury = world.deployment.address("CoopTimelock").lower()
    assert {e.source for e in lq.earnings_of(engine, treasury)} == {"treasury_fee"}
    for account in (alice, bob, carol, treasury):
        for balance in lq.balances_of(engine, account):
            on_chain = licensing.functions.creditOf(
                w3.to_checksum_address(account), w3.to_checksum_address(balance.currency)
            ).call()
            assert balance.withdrawable == on_chain
    assert {b.withdrawable for b in lq.balances_of(engine, treasury)} == {0}
    bob_eth = next(b for b in lq.balances_of(engine, bob) if b.currency == ETH_CURRENCY)
    assert bob_eth.withdrawn == bob_eth.credited > 0
    middle_earned = lq.dataset_earnings(engine, middle)
    assert {(r.source, r.sale_dataset_id, r.account) for r in middle_earned} == {
        ("upstream_royalty", leaf, bob)
    }
    assert {r.source for r in lq.dataset_earnings(engine, leaf)} == {"sale"}

    # The treasury's fee reached it by governance's withdrawal: filed as license revenue.
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT asset, amount FROM treasury_movement "
                "WHERE category = 'license_revenue' ORDER BY asset"
            )
        ).all()
        settings = connection.execute(
            text("SELECT setting FROM gov_setting_change WHERE setting LIKE 'license%'")
        ).all()
    fees = {asset: int(amount) for asset, amount in rows}
    credited_fees = {e.currency: e.amount for e in lq.earnings_of(engine, treasury)}
    assert fees == {"eth": credited_fees[ETH_CURRENCY], cusd: credited_fees[cusd]}
    assert {s for (s,) in settings} == {"license_shares_bps", "license_currency_allowed"}
    assert lq.license_shares(engine) == (500, 500, 1_000)  # the deployment's

    # The access log hook (the download route writes it; bad entries are refused).
    entry = lq.AccessLogRow(leaf, provider, provider_pass.token_id, "research", "api", 0, 10, now)
    lq.record_access(engine, entry)
    lq.record_access(engine, lq.AccessLogRow(leaf, carol, None, None, "browser", 0, 5, now + 1))
    assert [r.account for r in lq.access_log(engine, leaf)] == [carol, provider]
    with pytest.raises(ValueError):
        lq.record_access(engine, lq.AccessLogRow(leaf, carol, None, None, "ftp", 0, 5, now))
    with pytest.raises(ValueError):
        lq.record_access(engine, lq.AccessLogRow(leaf, carol, None, None, "api", 9, 5, now))


def test_a_reorg_leaves_what_a_clean_index_gives(
    compiled_artifacts: dict[str, Artifact],
    tmp_path: Path,
    database_url: str,
    make_database_url: Callable[[], str],
) -> None:
    world = _start(compiled_artifacts, tmp_path)
    try:
        w3, d = world.chain.w3, world.deployment
        registry, licensing = d.contract(w3, "DatasetRegistry"), d.contract(w3, "DataLicensing")
        alice, buyer = world.accounts[3], world.accounts[4]
        settings = indexer_settings(world.chain.rpc_url, world.manifest, database_url)
        dataset = register_dataset(registry, alice, "sold")
        tier = set_tier(licensing, alice, dataset, TierTerms(price=10**15))
        buy(w3, d, licensing, buyer, dataset, tier)
        run_once(settings, IndexerConfig())
        snapshot = w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]

        # A branch with every kind of row, then gone.
        token = pass_id(buyer.address, dataset, "research")
        buyer.call(licensing.functions.renew(token), what="renew", value=10**15)
        set_tier(licensing, alice, dataset, TierTerms(price=3, purpose="evaluation"))
        alice.call(licensing.functions.withdraw(ETH_CURRENCY), what="withdraw")
        world.governance.call(licensing.functions.revokePass(token, "bafyx"), what="revoke")
        world.governance.call(licensing.functions.setShares(1, 2, 3), what="shares")
        run_once(settings, IndexerConfig())
        engine = engine_for(database_url)
        assert lq.passes_of(engine, buyer.address)[0].revoked

        w3.provider.make_request("evm_revert", [snapshot])  # type: ignore[arg-type]
        buy(w3, d, licensing, world.accounts[5], dataset, tier)
        devchain.mine(w3, 3)
        run_once(settings, IndexerConfig())

        clean = make_database_url()
        run_once(indexer_settings(world.chain.rpc_url, world.manifest, clean), IndexerConfig())
        assert database_digest(engine) == database_digest(engine_for(clean))
        (only,) = lq.passes_of(engine, buyer.address)
        assert not only.revoked and only.purchases == 1
        assert len(lq.dataset_tiers(engine, dataset)) == 1
        assert lq.balances_of(engine, alice.address)[0].withdrawn == 0
        assert lq.license_shares(engine) == (500, 500, 1_000)  # setShares was rewound
    finally:
        world.chain.stop()
