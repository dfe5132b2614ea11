"""The demo's year of treasury history (coop seed): indexed, every asset reconciles
with the chain at every block; the months show grants, revenue, a budget, a slashed
bond; the governance part of the seed still ends in every Governor state."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.contracts import write_manifest
from coop_dashboard.chain.seed import seed_demo
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.db.treasury_categories import Category
from coop_dashboard.db.treasury_queries import all_movements
from coop_dashboard.indexer.service import run_once
from coop_dashboard.services.treasury.periods import day_of
from tests.indexer.conftest import engine_for, indexer_settings
from tests.indexer.test_treasury_reconciliation import assert_reconciles
from tests.support.chains import deploy, start_chain

GOVERNOR_STATES = {
    0: "pending",
    1: "active",
    2: "canceled",
    3: "defeated",
    4: "succeeded",
    5: "queued",
    7: "executed",
}


def test_seeded_treasury_history_reconciles(
    compiled_artifacts: dict[str, Artifact], database_url: str, tmp_path: Path
) -> None:
    chain = start_chain(tmp_path / "anvil")
    try:
        w3 = chain.w3
        deployment = deploy(chain, compiled_artifacts)
        report = seed_demo(
            w3, deployment, LocalContentStore(tmp_path / "content"), treasury_history=True
        )
        governor = deployment.contract(w3, "CoopGovernor").functions
        for expected, proposal_id in report.proposals.items():
            assert GOVERNOR_STATES[governor.state(proposal_id).call()] == expected
        manifest = tmp_path / "deployment.json"
        write_manifest(deployment, manifest)
        run_once(indexer_settings(chain.rpc_url, manifest, database_url))
        engine = engine_for(database_url)
        movements = all_movements(engine)
        categories = Counter(m.category for m in movements)
        assert categories[Category.BOND_SLASHED] == 1
        # 12 monthly grants + the budget's two payments + the seed's executed proposal.
        assert categories[Category.PROPOSAL_TRANSFER] == 12 + 2 + 1
        months = {day_of(m.timestamp).strftime("%Y-%m") for m in movements}
        assert len(months) >= 12
        slashed = next(m for m in movements if m.category == Category.BOND_SLASHED)
        assert slashed.amount == 10**18 // 2 and slashed.proposal_id is not None
        assets = [
            "eth",
            deployment.address("CoopToken").lower(),
            deployment.address("MockStablecoin").lower(),
        ]
        assert_reconciles(w3, deployment, database_url, assets)
    finally:
        chain.stop()
