"""Fixtures of the chain tests: what a page's write needs, against the session's anvil."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from coop_dashboard.chain.contracts import Deployment, write_manifest
from coop_dashboard.config import Settings, load_settings
from coop_dashboard.services.transactions import ChainContext
from tests.support.chains import Chain


@pytest.fixture
def context(chain: Chain, deployment: Deployment, tmp_path: Path) -> ChainContext:
    """Building and following writes on a fresh suite (its manifest written to tmp_path)."""
    manifest = tmp_path / "deployment.json"
    write_manifest(deployment, manifest)
    settings: Settings = dataclasses.replace(
        load_settings(), rpc_url=chain.rpc_url, chain_id=chain.chain_id, deployment_path=manifest
    )
    return ChainContext.load(settings)
