"""One chain context per process: manifest parsed once, one Web3, re-read after a redeploy."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from coop_dashboard.chain.shared import forget_shared_chains, shared_chain
from coop_dashboard.config import load_settings
from coop_dashboard.errors import ConfigError
from coop_dashboard.services.chain_access import chain_for
from coop_dashboard.services.transactions import ChainContext
from tests.support.chains import SeededChain


@pytest.fixture
def manifest(
    seeded_chain: SeededChain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    path = tmp_path / "deployment.json"
    path.write_text(seeded_chain.manifest_path.read_text())
    monkeypatch.setenv("RPC_URL", seeded_chain.rpc_url)
    monkeypatch.setenv("CHAIN_ID", str(seeded_chain.chain_id))
    monkeypatch.setenv("DEPLOYMENT", str(path))
    forget_shared_chains()
    yield path
    forget_shared_chains()


def _redeploy(path: Path, deploy_block: int) -> None:
    """Rewrite the manifest the way `coop deploy` does (a new file renamed into place)."""
    raw = json.loads(path.read_text())
    raw["deploy_block"] = deploy_block
    fresh = path.with_suffix(".tmp")
    fresh.write_text(json.dumps(raw))
    os.replace(fresh, path)


def test_actions_share_one_context_until_the_manifest_changes(
    manifest: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load_settings()
    first, second = ChainContext.load(settings), ChainContext.load(load_settings())
    # Before: every action parsed the manifest and opened its own Web3.
    assert first.w3 is second.w3
    assert first.deployment is second.deployment
    assert chain_for(settings).governance is chain_for(settings).governance
    assert chain_for(settings).governance.governor is chain_for(settings).governance.governor

    _redeploy(manifest, deploy_block=first.deployment.deploy_block + 1)
    after = chain_for(load_settings())
    assert after.deployment is not first.deployment
    assert after.deployment.deploy_block == first.deployment.deploy_block + 1
    assert after.governance.deployment is after.deployment
    assert after.w3 is first.w3  # same RPC: same provider and sessions


def test_a_missing_manifest_is_still_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="No deployment manifest"):
        shared_chain("http://127.0.0.1:1", 1.0, tmp_path / "nowhere.json")
