"""Licensing in Chromium with the test wallet, on a chain and app of their own.

The chain is the demo cooperative with its datasets and the licensing seed
(chain/seed_licensing.py): tiers on wine -> wine-scaled -> wine-train, sales in
ETH and cUSD, Dana's 1-day pass expired, Jonas's pass revoked by governance. In
order (module-scoped; each test builds on the last): the seed's passes show on
"My access"; the contributor's refused tiers never reach the wallet and a valid
one is offered, withdrawn from sale and offered again (a visitor's page follows);
another member buys in ETH for herself and in cUSD (the wallet signs an EIP-2612
permit, one transaction buys) for a compute provider, and the split lands as the page said; the
holder downloads through the gated route with her session, everyone else is
refused with the reason (non-holder, expired, revoked, forged session); the
contributor reads the access log and withdraws, and the balances move on chain;
the expired pass is renewed. The HTTP API flow from a Python client is
tests/integration/test_licensed_download_api.py.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from web3 import Web3

from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.contracts import write_manifest
from coop_dashboard.chain.data_licensing import ETH_CURRENCY, pass_id
from coop_dashboard.chain.seed import seed_demo
from coop_dashboard.chain.transact import Sender
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.services.datasets.demo import demo_datasets
from tests.e2e.app_server import AppServer, StartApp, chain_settings
from tests.e2e.flows import (
    SESSION_TOKEN_KEY,
    STEP_TIMEOUT_MS,
    expect_tx_problem,
    open_signed_in,
)
from tests.e2e.governance_flows import member_wallet, wait_done
from tests.support.chains import SeededChain, deploy, start_chain

pytestmark = pytest.mark.e2e

# Anvil accounts: seed.MEMBERS index + 1.
DANA, FARID, HIRO, JONAS, KAVYA, BJORN = 4, 6, 8, 10, 11, 2
PROVIDER = 16  # a compute provider with no tokens, working for Kavya
USD = 10**6


@pytest.fixture(scope="module")
def licensing_chain(
    compiled_artifacts: dict[str, Artifact], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SeededChain]:
    directory = tmp_path_factory.mktemp("licensing-chain")
    chain = start_chain(directory)
    try:
        deployment = deploy(chain, compiled_artifacts)
        store = LocalContentStore(directory / "content")
        report = seed_demo(
            chain.w3, deployment, store, datasets=demo_datasets(store), licensing=True
        )
        manifest = directory / "deployment.json"
        write_manifest(deployment, manifest)
        yield SeededChain(chain.node, chain.w3, deployment, report, directory, manifest, store.root)
    finally:
        chain.stop()


@pytest.fixture(scope="module")
def licensing_app(start_app: StartApp, licensing_chain: SeededChain) -> AppServer:
    return start_app("licensing", **chain_settings(licensing_chain))


@pytest.fixture(scope="module")
def story() -> dict[str, Any]:
    return {}


def _licensing(chain: SeededChain) -> Any:
    return chain.deployment.contract(chain.w3, "DataLicensing").functions


def _cusd(chain: SeededChain) -> Any:
    return chain.deployment.contract(chain.w3, "MockStablecoin")


def _address(chain: SeededChain, account: int) -> str:
    return Web3.to_checksum_address(chain.w3.eth.accounts[account])


def _dataset(chain: SeededChain, key: str) -> int:
    return chain.report.datasets[key]


def _download_message(page: Page) -> Any:
    return page.locator("#license-download-message")


def test_my_access_shows_the_seeded_passes_expired_and_revoked(
    page: Page, licensing_app: AppServer, licensing_chain: SeededChain
) -> None:
    report = licensing_chain.report.licensing
    assert report is not None and report.sales == 7
    dana = member_wallet(licensing_chain, DANA)
    open_signed_in(page, licensing_app, "/access", dana)
    expect(page.locator("#nav-access")).to_have_attribute("aria-current", "page")
    expired = page.locator(f".license-pass[data-token='0x{report.expired_pass:064x}']")
    expect(expired).to_have_attribute("data-state", "expired", timeout=STEP_TIMEOUT_MS)
    expect(expired.locator(".pass-renew")).to_be_visible()
    assert (
        not _licensing(licensing_chain)
        .hasAccess(dana.address, _dataset(licensing_chain, "wine-train"), 2)
        .call()
    )

    jonas = member_wallet(licensing_chain, JONAS)
    context = page.context.browser.new_context()  # type: ignore[union-attr]
    other = context.new_page()
    try:
        open_signed_in(other, licensing_app, "/access", jonas)
        revoked = other.locator(f".license-pass[data-token='0x{report.revoked_pass:064x}']")
        expect(revoked).to_have_attribute("data-state", "revoked", timeout=STEP_TIMEOUT_MS)
        expect(revoked.locator(".pass-reason")).to_contain_text("licensed data republished")
        expect(revoked.locator(".pass-renew")).to_have_count(0)  # a revoked pass is not renewable
    finally:
        context.close()


def test_a_contributor_sets_a_tier_and_bad_tiers_never_reach_the_wallet(
    page: Page, licensing_app: AppServer, licensing_chain: SeededChain
) -> None:
    hiro = member_wallet(licensing_chain, HIRO)
    train = _dataset(licensing_chain, "wine-train")
    scaled = _dataset(licensing_chain, "wine-scaled")
    open_signed_in(page, licensing_app, f"/datasets/{train}", hiro)
    expect(page.locator("#license-tier-form")).to_be_visible(timeout=STEP_TIMEOUT_MS)
    expect(page.locator("#license-tier-form")).to_contain_text(
        f"Parent #{scaled} allows at most: Any use, attribution."
    )
    sent = hiro.count("eth_sendTransaction")
    page.locator("#tier-price").fill("0")
    page.locator("#tier-submit").click()
    expect_tx_problem(page, "a paid tier needs a price above zero")
    page.locator("#tier-price").fill("5")
    page.locator("#tier-attribution").click()  # off: wine-scaled requires attribution
    page.locator("#tier-submit").click()
    expect_tx_problem(page, f"more permissive than parent dataset #{scaled} allows")
    assert hiro.count("eth_sendTransaction") == sent  # refused before the wallet opened

    page.locator("#tier-attribution").click()  # on again
    page.locator("#tier-currency").click()
    page.get_by_role("option", name="cUSD", exact=True).click()
    page.locator("#tier-days").fill("7")
    page.locator("#tier-submit").click()
    wait_done(page, f"Add a tier to dataset #{train}")
    tiers = _licensing(licensing_chain)
    assert tiers.tierCount(train).call() == 4
    stored = tiers.tierOf(train, 3).call()
    assert stored[0] == _cusd(licensing_chain).address and stored[7] == 5 * USD
    assert stored[1] == 7 * 86_400
    card = page.locator(".license-tier[data-tier='4']")
    expect(card).to_contain_text("5 cUSD", timeout=STEP_TIMEOUT_MS)

    # Withdrawn from sale and offered again; a visitor's page follows without a reload.
    context = page.context.browser.new_context()  # type: ignore[union-attr]
    visitor = context.new_page()
    try:
        visitor.goto(f"{licensing_app.url}/datasets/{train}")
        seen = visitor.locator(".license-tier[data-tier='4']")
        expect(seen).to_have_attribute("data-active", "true", timeout=STEP_TIMEOUT_MS)
        expect(seen.locator(".tier-toggle")).to_have_count(0)  # only for the contributor
        card.locator(".tier-toggle").click()
        wait_done(page, f"Withdraw from sale tier 4 of dataset #{train}")
        assert not tiers.tierOf(train, 3).call()[6]
        expect(seen).to_have_attribute("data-active", "false", timeout=STEP_TIMEOUT_MS)
        expect(seen).to_contain_text("not offered")
        expect(seen.locator(".tier-buy")).to_be_disabled()
        expect(card.locator(".tier-toggle")).to_have_text("Offer again", timeout=STEP_TIMEOUT_MS)
        card.locator(".tier-toggle").click()
        wait_done(page, f"Offer again tier 4 of dataset #{train}")
        assert tiers.tierOf(train, 3).call()[6]
        expect(seen).to_have_attribute("data-active", "true", timeout=STEP_TIMEOUT_MS)
    finally:
        context.close()


def test_another_member_buys_in_eth_and_in_cusd_for_a_provider(
    page: Page, licensing_app: AppServer, licensing_chain: SeededChain, story: dict[str, Any]
) -> None:
    chain = licensing_chain
    kavya = member_wallet(chain, KAVYA)
    train = _dataset(chain, "wine-train")
    licensing = _licensing(chain)
    farid, hiro = _address(chain, FARID), _address(chain, HIRO)
    before = {who: licensing.creditOf(who, ETH_CURRENCY).call() for who in (farid, hiro)}
    open_signed_in(page, licensing_app, f"/datasets/{train}", kavya)

    # The split the page announces for tier 1 (0.015 ETH, research).
    tier = page.locator(".license-tier[data-tier='1']")
    # Treasury fee, curator, royalties to wine (two generations up) and wine-scaled, the rest.
    wine = _dataset(chain, "wine")
    farid_row = tier.locator(f".license-split-row[data-role='Royalty: dataset #{wine}']")
    expect(farid_row).to_have_attribute("data-account", farid.lower(), timeout=STEP_TIMEOUT_MS)
    shown = farid_row.locator(".split-amount").inner_text()
    tier.locator(".tier-buy").click()
    wait_done(page, f"Buy tier 1 of dataset #{train} for 0.015 ETH")
    mine = page.locator("#license-my-passes .license-pass")
    expect(mine).to_have_attribute("data-state", "valid", timeout=STEP_TIMEOUT_MS)
    assert licensing.hasAccess(kavya.address, train, 0).call()
    gained = {who: licensing.creditOf(who, ETH_CURRENCY).call() - before[who] for who in before}
    assert gained[farid] > 0 and gained[hiro] > 0  # royalties two generations up
    assert shown == f"{Web3.from_wei(gained[farid], 'ether').normalize():f} ETH"

    # cUSD (it has EIP-2612 permit), for the compute provider: the wallet signs a permit,
    # then one transaction buys with it (no approval).
    provider = _address(chain, PROVIDER)
    cusd = _cusd(chain).functions
    Sender.unlocked(chain.w3, kavya.address).call(
        cusd.mint(kavya.address, 1_000 * USD), what="faucet"
    )
    held = cusd.balanceOf(kavya.address).call()
    page.locator("#license-holder").fill(provider)
    page.locator(".license-tier[data-tier='2'] .tier-buy").click()
    wait_done(page, f"Buy tier 2 of dataset #{train} for 0x")
    expect(page.locator("#tx-description")).to_contain_text("paid with your signed permit")
    assert licensing.hasAccess(provider, train, 1).call()
    assert cusd.balanceOf(kavya.address).call() == held - 300 * USD
    assert cusd.allowance(kavya.address, licensing.address).call() == 0
    assert cusd.nonces(kavya.address).call() == 1  # the permit was used
    assert kavya.count("eth_signTypedData_v4") == 1
    assert kavya.count("eth_sendTransaction") == 2  # ETH buy, cUSD buyWithPermit
    story["provider"] = provider


def test_downloads_for_the_holder_and_refusals_for_everyone_else(
    page: Page, licensing_app: AppServer, licensing_chain: SeededChain
) -> None:
    chain = licensing_chain
    train = _dataset(chain, "wine-train")
    kavya = member_wallet(chain, KAVYA)
    open_signed_in(page, licensing_app, f"/datasets/{train}", kavya)
    with page.expect_download() as download:
        page.locator("#license-download").click()
    saved = Path(download.value.path()).read_bytes()
    registry = chain.deployment.contract(chain.w3, "DatasetRegistry").functions
    assert hashlib.sha256(saved).digest() == registry.contentDigestOf(train).call()
    expect(_download_message(page)).to_contain_text("Downloaded", timeout=STEP_TIMEOUT_MS)

    # A forged session token in the browser: refused by the route, said on the page.
    page.evaluate(f"localStorage.setItem('{SESSION_TOKEN_KEY}', 'forged-' + 'a'.repeat(40))")
    page.locator("#license-download").click()
    expect(_download_message(page)).to_contain_text(
        "unknown, forged, expired or revoked", timeout=STEP_TIMEOUT_MS
    )

    # Each refused member asks the route with their own browser session.
    cases = [
        (BJORN, train, "holds no access pass"),
        (DANA, train, "expired on"),
        (JONAS, _dataset(chain, "digits"), "was revoked by governance"),
    ]
    for account, dataset, words in cases:
        context = page.context.browser.new_context()  # type: ignore[union-attr]
        other = context.new_page()
        try:
            open_signed_in(
                other, licensing_app, f"/datasets/{dataset}", member_wallet(chain, account)
            )
            expect(other.locator("#license-download")).to_have_count(0)  # no button offered
            answer = other.evaluate(
                f"""async () => {{
                  const token = localStorage.getItem('{SESSION_TOKEN_KEY}');
                  const r = await fetch('/api/datasets/{dataset}/file',
                                        {{headers: {{Authorization: 'Bearer ' + token}}}});
                  return {{status: r.status, body: await r.json()}};
                }}"""
            )
            assert answer["status"] == 403 and words in answer["body"]["error"], answer
        finally:
            context.close()


def test_the_contributor_reads_the_log_and_withdraws_and_balances_move(
    page: Page, licensing_app: AppServer, licensing_chain: SeededChain
) -> None:
    chain = licensing_chain
    train = _dataset(chain, "wine-train")
    hiro = member_wallet(chain, HIRO)
    kavya = _address(chain, KAVYA)
    licensing = _licensing(chain)
    open_signed_in(page, licensing_app, f"/datasets/{train}", hiro)
    log = page.locator(f"#license-access-log .access-log-row[data-account='{kavya.lower()}']")
    expect(log).to_have_count(1, timeout=STEP_TIMEOUT_MS)
    expect(log).to_contain_text("browser")  # downloaded with the app's session, not a script's

    page.goto(licensing_app.url + "/access")
    expect(page.locator(".license-earning").first).to_be_visible(timeout=STEP_TIMEOUT_MS)
    expect(page.locator("#access-earnings")).to_contain_text("Upstream royalties")
    expect(page.locator("#access-earnings")).to_contain_text(f"Sales of derived dataset #{train}")

    cusd = _cusd(chain).functions
    credit = licensing.creditOf(hiro.address, _cusd(chain).address).call()
    assert credit > 0
    held = cusd.balanceOf(hiro.address).call()
    page.locator(".license-balance[data-symbol='cUSD'] .balance-withdraw").click()
    wait_done(page, "Withdraw your license earnings")
    assert cusd.balanceOf(hiro.address).call() == held + credit
    assert licensing.creditOf(hiro.address, _cusd(chain).address).call() == 0
    expect(page.locator(".license-balance[data-symbol='cUSD'] .balance-withdrawable")).to_have_text(
        "0 cUSD", timeout=STEP_TIMEOUT_MS
    )

    eth_credit = licensing.creditOf(hiro.address, ETH_CURRENCY).call()
    eth_before = chain.w3.eth.get_balance(hiro.address)
    page.locator(".license-balance[data-symbol='ETH'] .balance-withdraw").click()
    # The amount tells this write from the cUSD one (the panel keeps its "done" until then).
    wait_done(page, f"earnings: {Web3.from_wei(eth_credit, 'ether').normalize():f} ETH")
    gained = chain.w3.eth.get_balance(hiro.address) - eth_before
    assert eth_credit - 10**15 < gained < eth_credit  # the credit, less the gas paid
    expect(page.locator(".license-balance[data-symbol='ETH'] .balance-withdraw")).to_be_disabled(
        timeout=STEP_TIMEOUT_MS
    )


def test_an_expired_pass_is_renewed_from_my_access(
    page: Page, licensing_app: AppServer, licensing_chain: SeededChain
) -> None:
    chain = licensing_chain
    report = chain.report.licensing
    assert report is not None
    dana = member_wallet(chain, DANA)
    open_signed_in(page, licensing_app, "/access", dana)
    row = page.locator(f".license-pass[data-token='0x{report.expired_pass:064x}']")
    expect(row).to_have_attribute("data-state", "expired", timeout=STEP_TIMEOUT_MS)
    row.locator(".pass-renew").click()
    wait_done(page, "Renew the pass to dataset")
    expect(row).to_have_attribute("data-state", "valid", timeout=STEP_TIMEOUT_MS)
    train = _dataset(chain, "wine-train")
    assert pass_id(dana.address, train, "evaluation") == report.expired_pass
    assert _licensing(chain).hasAccess(dana.address, train, 2).call()
