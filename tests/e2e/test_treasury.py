"""The treasury page in Chromium on the demo with its year of treasury history: the
holdings and the plotted totals (read from plotly's own data in the DOM) equal the
chain's balances; a bar click filters the movements; a member's note shows
attributed; the CSV refuses a reversed range and otherwise adds up to the chain."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from web3 import Web3

from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.contracts import write_manifest
from coop_dashboard.chain.seed import seed_demo
from coop_dashboard.content.store import LocalContentStore
from tests.e2e.app_server import AppServer, StartApp, chain_settings
from tests.e2e.flows import STEP_TIMEOUT_MS, sign_in
from tests.e2e.wallet import TestWallet, anvil_key, install_wallets
from tests.support.chains import SeededChain, deploy, start_chain

pytestmark = pytest.mark.e2e

AMARA = 1  # a seeded delegate with voting power
PAGE_TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def history_chain(
    compiled_artifacts: dict[str, Artifact], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SeededChain]:
    data_dir: Path = tmp_path_factory.mktemp("treasury-chain")
    chain = start_chain(data_dir)
    try:
        deployment = deploy(chain, compiled_artifacts)
        content_dir = data_dir / "content"
        report = seed_demo(
            chain.w3, deployment, LocalContentStore(content_dir), treasury_history=True
        )
        manifest = data_dir / "deployment.json"
        write_manifest(deployment, manifest)
        yield SeededChain(chain.node, chain.w3, deployment, report, data_dir, manifest, content_dir)
    finally:
        chain.stop()


@pytest.fixture(scope="module")
def treasury_app(start_app: StartApp, history_chain: SeededChain) -> AppServer:
    return start_app("treasury", **chain_settings(history_chain))


def _balances(chain: SeededChain) -> dict[str, int]:
    w3, deployment = chain.w3, chain.deployment
    treasury = deployment.address("CoopTimelock")
    found = {"ETH": int(w3.eth.get_balance(treasury))}
    for name, symbol in (("CoopToken", "COOP"), ("MockStablecoin", "cUSD")):
        found[symbol] = int(deployment.contract(w3, name).functions.balanceOf(treasury).call())
    return found


def _plotted(page: Page, chart_id: str) -> list[dict[str, Any]]:
    """The traces plotly drew (its `data` on the graph div), as plain JSON."""
    box = page.locator(f"#{chart_id}")
    box.scroll_into_view_if_needed()
    graph = box.locator(".js-plotly-plot")
    expect(graph).to_have_count(1, timeout=PAGE_TIMEOUT_MS)
    page.wait_for_function(
        "(id) => { const g = document.querySelector('#' + id + ' .js-plotly-plot');"
        " return g && g.data && g.data.length > 0; }",
        arg=chart_id,
        timeout=PAGE_TIMEOUT_MS,
    )
    data: list[dict[str, Any]] = page.evaluate(
        "(id) => document.querySelector('#' + id + ' .js-plotly-plot').data"
        ".map(t => ({name: t.name, x: Array.from(t.x || []), y: Array.from(t.y || [])}))",
        chart_id,
    )
    return data


def test_treasury_page_reconciles_with_the_chain(
    treasury_app: AppServer, history_chain: SeededChain, page: Page, tmp_path: Path
) -> None:
    chain = history_chain
    balances = _balances(chain)
    wallet = TestWallet(chain.rpc_url, chain_id=chain.chain_id, keys=[anvil_key(AMARA)])
    install_wallets(page, wallet)
    page.goto(f"{treasury_app.url}/treasury")
    expect(page.locator("#nav-treasury")).to_be_visible(timeout=PAGE_TIMEOUT_MS)

    # Holdings: each exact amount is the chain's balance.
    rows = page.locator(".holding-row")
    expect(rows).to_have_count(3, timeout=PAGE_TIMEOUT_MS)
    for symbol, balance in balances.items():
        expect(page.locator(f'.holding-row[data-symbol="{symbol}"]')).to_have_attribute(
            "data-exact", str(balance), timeout=PAGE_TIMEOUT_MS
        )

    # Charts over the whole history: plotted ETH totals equal the chain's balance.
    page.locator("#window").get_by_role("radio", name="all").click()
    page.wait_for_timeout(500)
    balance_traces = _plotted(page, "treasury-balance-chart")
    assert balance_traces[0]["y"][-1] == pytest.approx(balances["ETH"] / 10**18, rel=1e-12)
    flows = _plotted(page, "treasury-flows-chart")
    net = sum(sum(trace["y"]) for trace in flows)
    assert net == pytest.approx(balances["ETH"] / 10**18, rel=1e-9)
    names = {trace["name"] for trace in flows if trace["y"]}
    assert {"Proposal transfers (grants, payments)", "Bonds slashed", "Other"} <= names

    # A click on a bar lists that bar's movements.
    bar = page.locator("#treasury-flows-chart .bars path").first
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.locator("#movement-filter")).to_contain_text(" of ", timeout=STEP_TIMEOUT_MS)
    page.locator("#movement-filter").get_by_text("Show all").click()
    expect(page.locator("#movement-filter")).not_to_contain_text(" of ", timeout=STEP_TIMEOUT_MS)

    # A member's note, attributed to their address.
    sign_in(page, wallet)
    first = page.locator(".movement-row").first
    first.locator(".note-open").click()
    page.locator("#note-text").fill("Q3 grant, <reviewed> by the stewards")
    page.locator("#note-tag").fill("grant-q3")
    page.locator("#note-save").click()
    expect(page.locator("#note-form")).to_contain_text("markup", timeout=STEP_TIMEOUT_MS)
    page.locator("#note-text").fill("Q3 grant, reviewed by the stewards")
    page.locator("#note-save").click()
    note = page.locator(f'.movement-note[data-author="{wallet.address.lower()}"]')
    expect(note).to_contain_text("Q3 grant, reviewed by the stewards", timeout=STEP_TIMEOUT_MS)
    expect(note).to_contain_text("grant-q3")

    # CSV: a reversed range is refused; the whole history adds up to the chain.
    now = datetime.fromtimestamp(chain.w3.eth.get_block("latest")["timestamp"], tz=UTC).date()
    start = now - timedelta(days=400)
    page.locator("#csv-from").fill(now.isoformat())
    page.locator("#csv-to").fill(start.isoformat())
    page.locator("#csv-download").click()
    expect(page.locator("#csv-message")).to_contain_text("reversed", timeout=STEP_TIMEOUT_MS)
    page.locator("#csv-from").fill(start.isoformat())
    page.locator("#csv-to").fill(now.isoformat())
    page.wait_for_timeout(300)
    with page.expect_download(timeout=STEP_TIMEOUT_MS) as download_info:
        page.locator("#csv-download").click()
    download = download_info.value
    with open(download.path(), encoding="utf-8", newline="") as file:
        records = list(csv.DictReader(file))
    totals: dict[str, int] = defaultdict(int)
    for record in records:
        amount = int(record["amount_base_units"])
        totals[record["asset"]] += amount if record["direction"] == "in" else -amount
    assert dict(totals) == balances
    noted = [r for r in records if r["notes"]]
    assert len(noted) == 1 and wallet.address.lower() in noted[0]["notes"]
    assert all(Web3.is_address(r["counterparty"]) or not r["counterparty"] for r in records)

    # Commitments: the succeeded 25 ETH grant; the proposal's page shows its impact.
    page.goto(f"{treasury_app.url}/treasury")
    expect(page.locator('.runway-row[data-symbol="ETH"]')).to_have_attribute(
        "data-after", str(balances["ETH"] - 25 * 10**18), timeout=PAGE_TIMEOUT_MS
    )
    expect(page.locator(".commitment-row")).to_have_count(1)
    page.goto(f"{treasury_app.url}/proposals/{chain.report.proposals['succeeded']}")
    impact = page.locator('#proposal-treasury-impact .impact-row[data-symbol="ETH"]')
    expect(impact).to_have_attribute(
        "data-after", str(balances["ETH"] - 25 * 10**18), timeout=PAGE_TIMEOUT_MS
    )
    expect(page.locator("#proposal-treasury-impact")).to_contain_text("Runway floor: 6 months")
