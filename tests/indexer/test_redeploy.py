"""A database indexed for one deployment, pointed at another (a redeployed local chain):
the old rows go, the new deployment is indexed from its deploy block."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.contracts import write_manifest
from coop_dashboard.db import queries
from coop_dashboard.indexer.digest import database_digest
from coop_dashboard.indexer.service import run_once
from tests.indexer.conftest import engine_for, indexer_settings
from tests.support.chains import Chain, deploy


def test_a_new_deployment_replaces_the_old_index(
    chain: Chain,
    compiled_artifacts: dict[str, Artifact],
    database_url: str,
    make_database_url: Callable[[], str],
    tmp_path: Path,
) -> None:
    old, new = deploy(chain, compiled_artifacts), deploy(chain, compiled_artifacts)
    old_manifest, new_manifest = tmp_path / "old.json", tmp_path / "new.json"
    write_manifest(old, old_manifest)
    write_manifest(new, new_manifest)

    run_once(indexer_settings(chain.rpc_url, old_manifest, database_url))
    engine = engine_for(database_url)
    assert queries.contract_addresses(engine)["CoopToken"] == old.address("CoopToken").lower()

    run_once(indexer_settings(chain.rpc_url, new_manifest, database_url))
    assert queries.contract_addresses(engine)["CoopToken"] == new.address("CoopToken").lower()
    clean = make_database_url()
    run_once(indexer_settings(chain.rpc_url, new_manifest, clean))
    assert database_digest(engine) == database_digest(engine_for(clean))
