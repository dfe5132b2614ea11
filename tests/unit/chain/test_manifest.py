"""A manifest that does not match the chain is refused with a clear message."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from web3 import HTTPProvider, Web3
from web3.types import RPCEndpoint, RPCResponse

from coop_dashboard import cli
from coop_dashboard.chain.client import make_web3
from coop_dashboard.chain.contracts import (
    DeployedContract,
    Deployment,
    DeploymentChecks,
    load_manifest,
    validate_deployment,
    write_manifest,
)
from coop_dashboard.chain.node import free_port
from coop_dashboard.config import load_settings
from coop_dashboard.errors import ConfigError, ManifestMismatchError, RpcUnavailableError
from coop_dashboard.services.overview import read_overview
from tests.support.chains import Chain, start_chain
from tests.support.tcp_proxy import TcpProxy


def test_valid_manifest_round_trips(chain: Chain, deployment: Deployment, tmp_path: Path) -> None:
    path = tmp_path / "deployment.json"
    write_manifest(deployment, path)
    loaded = load_manifest(path)
    assert loaded == deployment
    validate_deployment(chain.w3, loaded, chain.rpc_url, chain.chain_id)


def test_wrong_chain_id_is_refused(chain: Chain, deployment: Deployment) -> None:
    other = replace(deployment, chain_id=1)
    with pytest.raises(ManifestMismatchError, match="has chain id 31337.*for chain 1"):
        validate_deployment(chain.w3, other, chain.rpc_url, 1)
    with pytest.raises(ManifestMismatchError, match="CHAIN_ID is 5"):
        validate_deployment(chain.w3, deployment, chain.rpc_url, 5)


def test_no_code_at_an_address_is_refused(chain: Chain, deployment: Deployment) -> None:
    token = deployment.contracts["CoopToken"]
    empty = "0x000000000000000000000000000000000000dEaD"
    broken = replace(
        deployment,
        contracts=deployment.contracts
        | {"CoopToken": DeployedContract("CoopToken", empty, token.abi, token.block_number)},
    )
    with pytest.raises(ManifestMismatchError, match=f"No contract code at {empty} \\(CoopToken\\)"):
        validate_deployment(chain.w3, broken, chain.rpc_url, chain.chain_id)


def test_reset_chain_is_detected_by_block_hash(chain: Chain, deployment: Deployment) -> None:
    moved = replace(deployment, deploy_block_hash="0x" + "ab" * 32)
    with pytest.raises(ManifestMismatchError, match="chain was reset"):
        validate_deployment(chain.w3, moved, chain.rpc_url, chain.chain_id)


def test_missing_and_malformed_manifests(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="No deployment manifest.*coop deploy"):
        load_manifest(tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ConfigError, match="is not valid"):
        load_manifest(bad)
    partial = tmp_path / "partial.json"
    partial.write_text(
        json.dumps(
            {
                "chain_id": 31337,
                "deploy_block": 1,
                "deploy_block_hash": "0x",
                "deployer": "0x" + "11" * 20,
                "contracts": {},
            }
        )
    )
    with pytest.raises(ConfigError, match="lacks CoopToken"):
        load_manifest(partial)


def test_unreachable_rpc_is_reported(deployment: Deployment) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(RpcUnavailableError, match="unreachable"):
        validate_deployment(make_web3(dead, 1), deployment, dead, deployment.chain_id)


def test_overview_service_reports_the_same_errors(
    monkeypatch: pytest.MonkeyPatch, chain: Chain, deployment: Deployment, tmp_path: Path
) -> None:
    path = tmp_path / "deployment.json"
    write_manifest(deployment, path)
    monkeypatch.setenv("DEPLOYMENT", str(path))
    monkeypatch.setenv("RPC_URL", f"http://127.0.0.1:{free_port()}")
    with pytest.raises(RpcUnavailableError):
        read_overview(load_settings())
    monkeypatch.setenv("RPC_URL", chain.rpc_url)
    monkeypatch.setenv("CHAIN_ID", "10")
    with pytest.raises(ManifestMismatchError):
        read_overview(load_settings())


def test_cli_check_refuses_a_mismatched_manifest(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    chain: Chain,
    deployment: Deployment,
    tmp_path: Path,
) -> None:
    path = tmp_path / "deployment.json"
    write_manifest(replace(deployment, deploy_block_hash="0x" + "cd" * 32), path)
    monkeypatch.setenv("DEPLOYMENT", str(path))
    monkeypatch.setenv("RPC_URL", chain.rpc_url)
    assert cli.main(["check"]) == 1
    err = capsys.readouterr().err
    assert "coop: error:" in err and "Redeploy" in err and "Traceback" not in err


def test_cli_serve_refuses_a_manifest_for_another_chain(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    chain: Chain,
    deployment: Deployment,
    tmp_path: Path,
) -> None:
    """Refused before the web app starts (serve would otherwise block here)."""
    path = tmp_path / "deployment.json"
    write_manifest(replace(deployment, chain_id=8453), path)
    monkeypatch.setenv("DEPLOYMENT", str(path))
    monkeypatch.setenv("RPC_URL", chain.rpc_url)
    monkeypatch.setenv("CHAIN_ID", "8453")
    assert cli.main(["serve"]) == 1
    err = capsys.readouterr().err
    assert "has chain id 31337" in err and "Traceback" not in err


class _CountingProvider(HTTPProvider):
    """A real HTTP provider that remembers which RPC methods it was asked for."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.methods: list[str] = []

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        self.methods.append(str(method))
        return super().make_request(method, params)


def test_repeated_checks_reread_only_the_deploy_block_and_still_catch_a_reset(
    chain: Chain, deployment: Deployment
) -> None:
    proxy = TcpProxy("127.0.0.1", int(chain.rpc_url.rsplit(":", 1)[1]))
    proxy.start()
    provider = _CountingProvider(proxy.url)
    w3 = Web3(provider)
    checks = DeploymentChecks()
    checks.check(w3, deployment, proxy.url, chain.chain_id)
    full = len(provider.methods)
    assert full == len(deployment.contracts) + 2  # chain id, one getCode each, the block
    provider.methods.clear()
    checks.check(w3, deployment, proxy.url, chain.chain_id)
    assert provider.methods == ["eth_getBlockByNumber"]

    # The same URL now reaches a fresh chain (as after an anvil restart without state).
    fresh = start_chain()
    try:
        proxy.stop()
        proxy.target = ("127.0.0.1", int(fresh.rpc_url.rsplit(":", 1)[1]))
        proxy.start()
        with pytest.raises(ManifestMismatchError, match="chain was reset"):
            checks.check(w3, deployment, proxy.url, chain.chain_id)
    finally:
        proxy.stop()
        fresh.stop()
