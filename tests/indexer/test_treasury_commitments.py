"""Commitments, runway and a proposal's treasury impact on the seeded demo: the succeeded
25 ETH grant is committed, the runway counts it, the active proposal's impact names
the floor (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from coop_dashboard.db.migrations import upgrade_database
from coop_dashboard.indexer.service import run_once
from coop_dashboard.services.treasury.impact_view import read_proposal_impact
from coop_dashboard.services.treasury.view import TreasuryKey, read_treasury_view
from tests.indexer.conftest import engine_for, indexer_settings
from tests.support.chains import SeededChain

ETH = 10**18
USD = 10**6


def test_commitments_runway_and_impact(
    seeded_chain: SeededChain, database_url: str, tmp_path: Path
) -> None:
    chain = seeded_chain
    upgrade_database(database_url)
    run_once(indexer_settings(chain.rpc_url, chain.manifest_path, database_url))
    engine = engine_for(database_url)
    treasury = chain.deployment.address("CoopTimelock")
    stable = chain.deployment.contract(chain.w3, "MockStablecoin").functions
    eth_now = chain.w3.eth.get_balance(treasury)
    usd_now = stable.balanceOf(treasury).call()

    view = read_treasury_view(TreasuryKey(), engine)
    # Succeeded: the 25 ETH grant; queued: a quorum change (pays nothing, not listed).
    assert [(c.proposal_id, c.state, c.payouts) for c in view.commitments] == [
        (str(chain.report.proposals["succeeded"]), "succeeded", "25 ETH")
    ]
    runway = {r.symbol: r for r in view.runways}
    assert runway["ETH"].committed == "25 ETH"
    assert runway["ETH"].after_exact == str(eth_now - 25 * ETH)
    assert runway["ETH"].runway == "no outflow in 90 days"
    # cUSD: 120,000 paid in the last 90 days = 40,000 a month.
    assert runway["cUSD"].monthly_outflow == "40,000 cUSD"
    assert runway["cUSD"].runway == f"{usd_now / (40_000 * USD):.1f} months"

    active = chain.report.proposals["active"]  # pays 18,500 cUSD
    fine = read_proposal_impact(active, engine, floor_months=6)
    (row,) = fine.rows
    assert (row.symbol, row.pays, row.breaches) == ("cUSD", "18,500 cUSD", False)
    assert row.after_exact == str(usd_now - 18_500 * USD)
    assert "6 months" in fine.floor_text
    strict = read_proposal_impact(active, engine, floor_months=36)
    assert strict.breaches and strict.rows[0].breaches
