"""The treasury page's data on an indexed deployment: holdings equal the chain's
balances, the charts plot the same totals, notes obey who may write what, and the
CSV export refuses bad ranges and matches the movements (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from web3 import Web3

from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.contracts import write_manifest
from coop_dashboard.db.migrations import upgrade_database
from coop_dashboard.db.queries import ProposalActionRow
from coop_dashboard.db.treasury_categories import Category
from coop_dashboard.db.treasury_queries import all_movements
from coop_dashboard.indexer.service import run_once
from coop_dashboard.services.treasury.commitments import action_payouts
from coop_dashboard.services.treasury.export import ExportRefused, read_movements_csv
from coop_dashboard.services.treasury.impact_view import read_proposal_impact
from coop_dashboard.services.treasury.notes import NoteRefused, attach_note
from coop_dashboard.services.treasury.view import TreasuryKey, read_treasury_view
from tests.indexer.conftest import engine_for, indexer_settings
from tests.support.chains import Chain, deploy
from tests.support.treasury_activity import ETH, USD, TreasuryActivity


def test_treasury_view_notes_and_export(
    chain: Chain, compiled_artifacts: dict[str, Artifact], database_url: str, tmp_path: Path
) -> None:
    w3 = chain.w3
    deployment = deploy(chain, compiled_artifacts)
    activity = TreasuryActivity(w3, deployment, compiled_artifacts)
    activity.donate_eth(20 * ETH)
    activity.faucet_usd(50_000 * USD)
    activity.fake_transfer(10**24)
    activity.grant(3 * ETH, 1_200 * USD, "# Grant\n")
    manifest = tmp_path / "deployment.json"
    write_manifest(deployment, manifest)
    upgrade_database(database_url)
    run_once(indexer_settings(chain.rpc_url, manifest, database_url))
    engine = engine_for(database_url)
    treasury = deployment.address("CoopTimelock")

    view = read_treasury_view(TreasuryKey(asset="ETH", window="all"), engine)
    exact = {row.symbol: int(row.exact) for row in view.holdings}
    assert exact["ETH"] == w3.eth.get_balance(treasury) == 17 * ETH
    stable = deployment.contract(w3, "MockStablecoin")
    assert exact["cUSD"] == stable.functions.balanceOf(treasury).call() == 48_800 * USD
    assert [row.token for row in view.unrecognised] == [str(activity.fake_token).lower()]
    # The flows chart draws exactly the totals: ETH in 20, out 3 (a proposal transfer).
    traces = view.flows_figure["data"]  # Plotly JSON, as the page's state holds it
    plotted_in = sum(sum(t["y"]) for t in traces if min(t["y"], default=0) >= 0)
    plotted_out = sum(sum(t["y"]) for t in traces if min(t["y"], default=0) < 0)
    assert (plotted_in, plotted_out) == (20.0, -3.0)
    assert view.balance_figure["data"][0]["y"][-1] == 17.0
    totals = {t.category: t for t in view.category_totals}
    assert totals[Category.PROPOSAL_TRANSFER].outflow == "3 ETH"
    assert totals[Category.LICENSE_REVENUE].inflow == "0 ETH"  # shown as zero until it exists

    # Runway: nothing committed; 3 ETH out in 90 days = 1 ETH a month -> 17 months.
    runway = {r.symbol: r for r in view.runways}
    assert sorted(runway) == ["ETH", "cUSD"]  # COOP is not liquid
    assert (runway["ETH"].after_exact, runway["ETH"].runway) == (str(17 * ETH), "17.0 months")
    assert runway["ETH"].escrowed == "0 ETH" and view.commitments == []

    # The executed grant's impact: before = the treasury without it, after = now.
    impact = read_proposal_impact(activity.proposals[0], engine)
    assert impact.executed
    rows = {r.symbol: r for r in impact.rows}
    assert (rows["ETH"].before, rows["ETH"].pays, rows["ETH"].after) == (
        "20 ETH",
        "3 ETH",
        "17 ETH",
    )
    assert rows["cUSD"].after_exact == str(48_800 * USD)
    assert read_proposal_impact(12345, engine).rows == []

    # A click on the proposal-transfer bar lists only that movement.
    grant_day = next(m for m in all_movements(engine) if m.category == "proposal_transfer")
    bucket = datetime.fromtimestamp(grant_day.timestamp, tz=UTC).date().replace(day=1)
    clicked = read_treasury_view(
        TreasuryKey(
            asset="ETH",
            window="all",
            category=Category.PROPOSAL_TRANSFER.value,
            bucket=bucket.isoformat(),
        ),
        engine,
    )
    assert [(m.direction, m.exact) for m in clicked.movements] == [("out", str(3 * ETH))]
    assert clicked.movements[0].proposal_id == str(activity.proposals[0])

    # Notes: signed-out, zero power, markup and length are refused; a member's is shown.
    target = clicked.movements[0].movement_id
    member = str(w3.eth.accounts[7]).lower()  # voted the grant through: has voting power
    nobody = str(w3.eth.accounts[9]).lower()
    for author, note, tag, reason in [
        (None, "ok", "", "Sign in"),
        (nobody, "ok", "", "voting power"),
        (member, "<b>bold</b>", "", "markup"),
        (member, "x" * 281, "", "at most 280"),
        (member, "ok", "two words", "one word"),
        (member, "", "", "Write a note"),
    ]:
        with pytest.raises(NoteRefused, match=reason):
            attach_note(engine, author, target, note, tag)
    with pytest.raises(NoteRefused, match="does not exist"):
        attach_note(engine, member, "1:2; drop table", "ok", "")
    attach_note(engine, member, target, "=HYPERLINK(1) Q3 grant, a < b", "grant-q3")
    noted = read_treasury_view(
        TreasuryKey(asset="ETH", window="all", category="proposal_transfer"), engine
    )
    notes = noted.movements[0].notes
    assert [(n.author, n.text, n.tag) for n in notes] == [
        (member, "=HYPERLINK(1) Q3 grant, a < b", "grant-q3")
    ]

    # CSV: bad ranges get a sentence; a good one holds every movement, formulas neutralised.
    today = datetime.fromtimestamp(w3.eth.get_block("latest")["timestamp"], tz=UTC).date()
    for first, last, reason in [
        ("", "", "both dates"),
        (today.isoformat(), (today - timedelta(days=1)).isoformat(), "reversed"),
        ("2001-01-01", "2001-01-31", "No treasury movement"),
        ("yesterday", today.isoformat(), "YYYY-MM-DD"),
    ]:
        with pytest.raises(ExportRefused, match=reason):
            read_movements_csv(first, last, engine)
    text = read_movements_csv((today - timedelta(days=30)).isoformat(), today.isoformat(), engine)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(all_movements(engine))
    grant_row = next(
        r for r in rows if r["category"] == "proposal_transfer" and r["asset"] == "ETH"
    )
    assert grant_row["amount"] == "3" and grant_row["amount_base_units"] == str(3 * ETH)
    assert grant_row["notes"].startswith("'") is False  # the author's address leads the cell
    assert "=HYPERLINK" in grant_row["notes"]
    noted_cell = [r["notes"] for r in rows if r["notes"]]
    assert noted_cell == [f"{member}: grant-q3 =HYPERLINK(1) Q3 grant, a < b"]
    assert Web3.is_address(grant_row["counterparty"])


def test_action_payouts_read_eth_and_token_transfers() -> None:
    token = "0x" + "ab" * 20
    recipient = "00" * 12 + "cd" * 20
    transfer = "0xa9059cbb" + recipient + f"{1_200 * USD:064x}"
    actions = [
        ProposalActionRow(0, "0x" + "11" * 20, 2 * ETH, "", "0x"),
        ProposalActionRow(1, token, 0, "", transfer),
        ProposalActionRow(2, "0x" + "ef" * 20, 0, "", transfer),  # not a recognised token
        ProposalActionRow(3, token, 0, "", "0xa9059cbb" + "00"),  # malformed
    ]
    assert action_payouts(actions, {token}) == {"eth": 2 * ETH, token: 1_200 * USD}


def test_proposal_impact_names_the_runway_floor() -> None:
    from coop_dashboard.db.treasury_queries import Movement
    from coop_dashboard.services.treasury.assets import NATIVE
    from coop_dashboard.services.treasury.commitments import proposal_impact

    now = 1_700_000_000
    history = [
        Movement(
            1, 0, now - 100 * 86_400, "eth", "in", None, 10 * ETH, "eth_tx", None, "other", None
        ),
        Movement(
            2,
            0,
            now - 10 * 86_400,
            "eth",
            "out",
            None,
            3 * ETH,
            "timelock_call",
            None,
            "proposal_transfer",
            1,
        ),
    ]
    small = [ProposalActionRow(0, "0x" + "11" * 20, ETH, "", "0x")]
    big = [ProposalActionRow(0, "0x" + "11" * 20, 5 * ETH, "", "0x")]
    (fine,) = proposal_impact(small, history, [NATIVE], now, 6)
    assert (fine.before, fine.after, fine.runway_after, fine.breaches_floor) == (
        7 * ETH,
        6 * ETH,
        6.0,
        False,
    )
    (short,) = proposal_impact(big, history, [NATIVE], now, 6)
    assert (short.after, short.runway_after, short.breaches_floor) == (2 * ETH, 2.0, True)
