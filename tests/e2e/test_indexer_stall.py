"""The overview page tells people when the index stopped moving, where, and why.

The app serves the seeded chain without its own indexer; the indexer (`follow`,
the loop `coop index` runs) follows in this process with a faulty VoteCast
handler registered beside the real ones. The page shows "indexer stalled at
block N: reason" while it fails, and drops it once the fault is gone.
"""

from __future__ import annotations

import dataclasses

import pytest
from playwright.sync_api import Page, expect

from coop_dashboard.config import load_settings
from tests.e2e.app_server import StartApp, chain_settings
from tests.indexer.faults import Fault, following, raise_key_error, registry_with
from tests.support.chains import SeededChain

pytestmark = pytest.mark.e2e

WAIT_MS = 60_000


def _first_vote_block(chain: SeededChain) -> int:
    governor = chain.deployment.contract(chain.w3, "CoopGovernor")
    votes = governor.events.VoteCast().get_logs(from_block=chain.deployment.deploy_block)
    return min(int(vote["blockNumber"]) for vote in votes)


def test_the_overview_shows_where_and_why_the_indexer_is_stalled(
    start_app: StartApp,
    seeded_chain: SeededChain,
    page: Page,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    database_url = f"sqlite:///{tmp_path_factory.mktemp('stalled') / 'coop.db'}"
    app = start_app(
        "stalled", **chain_settings(seeded_chain), DATABASE_URL=database_url, INDEXER_IN_APP="0"
    )
    settings = dataclasses.replace(
        load_settings(),
        rpc_url=seeded_chain.rpc_url,
        chain_id=seeded_chain.chain_id,
        deployment_path=seeded_chain.manifest_path,
        database_url=database_url,
    )
    fault = Fault(raise_key_error)
    with following(settings, registry_with(fault)):
        page.goto(app.url)
        stall = page.locator("#indexer-stall")
        expect(stall).to_contain_text(
            f"indexer stalled at block {_first_vote_block(seeded_chain)}: ", timeout=WAIT_MS
        )
        expect(stall).to_contain_text("KeyError: 'missing_argument'")

        fault.active = False
        # The open page follows: the notice goes once the indexer moves on.
        expect(stall).to_have_count(0, timeout=WAIT_MS)
        expect(page.locator("#fact-proposal-count")).not_to_have_attribute("data-value", "0")
