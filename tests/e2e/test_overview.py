"""The overview page against the seeded demo chain: every figure equals what the chain says.

Expected values are read here with plain eth_calls on the manifest's ABIs, not
through the app's services, so the test checks the whole path to the browser.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from web3 import Web3
from web3.contract import Contract

from coop_dashboard.services.overview_types import PROPOSAL_STATES
from tests.e2e.app_server import AppServer
from tests.support.chains import SeededChain

pytestmark = pytest.mark.e2e

FACTS_TIMEOUT_MS = 60_000
ANY_VALUE = re.compile(r".+")


def _contract(w3: Web3, manifest: dict[str, Any], name: str) -> Contract:
    entry = manifest["contracts"][name]
    return w3.eth.contract(address=Web3.to_checksum_address(entry["address"]), abi=entry["abi"])


def _is_erc20(abi: list[dict[str, Any]]) -> bool:
    functions = {item.get("name") for item in abi if item.get("type") == "function"}
    return {"decimals", "totalSupply", "balanceOf", "symbol"} <= functions


def _scaled(base_units: int, decimals: int) -> Decimal:
    return Decimal(base_units).scaleb(-decimals)


def _exact(page: Page, element_id: str) -> str:
    """The exact value behind a shown figure (its data-value attribute)."""
    locator = page.locator(f"#{element_id}")
    expect(locator).to_have_attribute("data-value", ANY_VALUE)
    return locator.get_attribute("data-value") or ""


def _expected_facts(chain: SeededChain) -> dict[str, Any]:
    w3 = chain.w3
    manifest = json.loads(chain.manifest_path.read_text())
    token = _contract(w3, manifest, "CoopToken")
    governor = _contract(w3, manifest, "CoopGovernor")
    treasury = Web3.to_checksum_address(manifest["contracts"]["CoopTimelock"]["address"])
    since = manifest["deploy_block"]

    treasury_assets = {"ETH": _scaled(w3.eth.get_balance(treasury), 18)}
    for name, entry in manifest["contracts"].items():
        if _is_erc20(entry["abi"]):
            erc20 = _contract(w3, manifest, name).functions
            treasury_assets[erc20.symbol().call()] = _scaled(
                erc20.balanceOf(treasury).call(), erc20.decimals().call()
            )
    receivers = {log["args"]["to"] for log in token.events.Transfer().get_logs(from_block=since)}
    members = {a for a in receivers if a != treasury and token.functions.balanceOf(a).call() > 0}
    delegates = {
        log["args"]["delegate"]
        for log in token.events.DelegateVotesChanged().get_logs(from_block=since)
    }
    created = governor.events.ProposalCreated().get_logs(from_block=since)
    return {
        "chain_id": w3.eth.chain_id,
        "token_symbol": token.functions.symbol().call(),
        "supply": _scaled(token.functions.totalSupply().call(), token.functions.decimals().call()),
        "treasury": treasury_assets,
        "members": len(members),
        "delegates": len([d for d in delegates if token.functions.getVotes(d).call() > 0]),
        "proposals": len(created),
        "states": Counter(
            PROPOSAL_STATES[governor.functions.state(log["args"]["proposalId"]).call()]
            for log in created
        ),
    }


def test_overview_matches_the_chain(
    seeded_app: AppServer, seeded_chain: SeededChain, page: Page
) -> None:
    block_before = seeded_chain.w3.eth.block_number
    expected = _expected_facts(seeded_chain)

    response = page.goto(seeded_app.url)
    assert response is not None and response.status == 200
    expect(page.locator("#fact-block-number")).to_be_visible(timeout=FACTS_TIMEOUT_MS)
    expect(page.locator("#chain-error")).to_have_count(0)

    assert int(_exact(page, "fact-chain-id")) == expected["chain_id"] == seeded_chain.chain_id
    assert int(_exact(page, "fact-block-number")) >= block_before
    assert Decimal(_exact(page, "fact-token-supply")) == expected["supply"]
    expect(page.locator("#fact-token-symbol")).to_have_text(expected["token_symbol"])
    for symbol, amount in expected["treasury"].items():
        assert Decimal(_exact(page, f"fact-treasury-{symbol}")) == amount, symbol
    # Counts come from the SQL index, which the app fills as it starts: wait for it.
    counts = {
        "fact-member-count": expected["members"],
        "fact-delegate-count": expected["delegates"],
        "fact-proposal-count": expected["proposals"],
    } | {f"proposals-state-{state}": expected["states"][state] for state in PROPOSAL_STATES}
    for element_id, count in counts.items():
        expect(page.locator(f"#{element_id}")).to_have_attribute(
            "data-value", str(count), timeout=FACTS_TIMEOUT_MS
        )


def test_figures_are_formatted_for_people(seeded_app: AppServer, page: Page) -> None:
    page.goto(seeded_app.url)
    supply = page.locator("#fact-token-supply")
    expect(supply).to_be_visible(timeout=FACTS_TIMEOUT_MS)
    exact = Decimal(supply.get_attribute("data-value") or "0")
    shown = supply.inner_text()
    assert Decimal(shown.replace(",", "")) == exact.quantize(Decimal(1).scaleb(-4), "ROUND_DOWN")
    if exact >= 1000:
        assert "," in shown
    assert supply.get_attribute("title") == supply.get_attribute("data-value")


def test_addresses_are_short_with_the_full_one_on_hover(
    seeded_app: AppServer, seeded_chain: SeededChain, page: Page
) -> None:
    treasury = json.loads(seeded_chain.manifest_path.read_text())["contracts"]["CoopTimelock"]
    page.goto(seeded_app.url)
    chip = page.locator("#treasury-address")
    expect(chip).to_be_visible(timeout=FACTS_TIMEOUT_MS)
    full = Web3.to_checksum_address(treasury["address"])
    expect(chip).to_have_attribute("title", full)
    expect(chip).to_contain_text(f"{full[:6]}…{full[-4:]}")
