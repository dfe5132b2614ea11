"""The deployment manifest (addresses, ABIs, deploy block) and contract handles."""

from __future__ import annotations

import json
import os
import tempfile
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from web3 import Web3
from web3.contract import Contract
from web3.exceptions import BlockNotFound

from coop_dashboard.chain.client import rpc_errors
from coop_dashboard.errors import ConfigError, ManifestMismatchError

MANIFEST_VERSION = 1
# The names every deployment of the suite has; MockStablecoin only on local chains.
CORE_CONTRACTS: tuple[str, ...] = (
    "CoopToken",
    "CoopTimelock",
    "CoopGovernor",
    "DelegateRegistry",
    "DatasetRegistry",
    "DataLicensing",
    "JobBoard",
)


@dataclass(frozen=True)
class DeployedContract:
    """One contract of a deployment."""

    name: str
    address: str
    abi: list[dict[str, Any]]
    block_number: int


@dataclass(frozen=True)
class Deployment:
    """What the app needs to find the cooperative on a chain."""

    chain_id: int
    deploy_block: int
    deploy_block_hash: str
    deployer: str
    contracts: dict[str, DeployedContract]
    parameters: dict[str, Any] = field(default_factory=dict)
    seeded: bool = False
    version: int = MANIFEST_VERSION

    def address(self, name: str) -> str:
        return self.contract_info(name).address

    def contract_info(self, name: str) -> DeployedContract:
        try:
            return self.contracts[name]
        except KeyError as exc:
            raise ConfigError(f"The deployment manifest has no {name} contract.") from exc

    def contract(self, w3: Web3, name: str) -> Contract:
        """A web3 contract handle for `name` at its deployed address."""
        info = self.contract_info(name)
        return w3.eth.contract(address=Web3.to_checksum_address(info.address), abi=info.abi)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Deployment:
        contracts = {
            name: DeployedContract(
                name=name,
                address=Web3.to_checksum_address(entry["address"]),
                abi=entry["abi"],
                block_number=int(entry["block_number"]),
            )
            for name, entry in raw["contracts"].items()
        }
        return cls(
            chain_id=int(raw["chain_id"]),
            deploy_block=int(raw["deploy_block"]),
            deploy_block_hash=str(raw["deploy_block_hash"]),
            deployer=Web3.to_checksum_address(raw["deployer"]),
            contracts=contracts,
            parameters=dict(raw.get("parameters", {})),
            seeded=bool(raw.get("seeded", False)),
            version=int(raw.get("version", MANIFEST_VERSION)),
        )


def write_manifest(deployment: Deployment, path: Path) -> None:
    """Write atomically: a crash never leaves a half-written manifest."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".manifest-", dir=path.parent)
    with os.fdopen(fd, "w") as handle:
        json.dump(deployment.to_json(), handle, indent=1)
    os.replace(tmp, path)


def load_manifest(path: Path) -> Deployment:
    """Read a manifest, or a ConfigError saying what is wrong with it."""
    if not path.is_file():
        raise ConfigError(
            f"No deployment manifest at {path}: deploy with `coop deploy` "
            "(or `make run`), or set DEPLOYMENT to an existing manifest."
        )
    try:
        raw = json.loads(path.read_text())
        deployment = Deployment.from_json(raw)
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"The deployment manifest {path} is not valid: {exc}") from exc
    missing = [name for name in CORE_CONTRACTS if name not in deployment.contracts]
    if missing:
        raise ConfigError(f"The deployment manifest {path} lacks {', '.join(missing)}.")
    return deployment


def validate_deployment(w3: Web3, deployment: Deployment, rpc_url: str, chain_id: int) -> None:
    """Refuse a manifest that does not describe the chain behind `rpc_url`."""
    if deployment.chain_id != chain_id:
        raise ManifestMismatchError(
            f"The deployment manifest is for chain {deployment.chain_id} but CHAIN_ID is "
            f"{chain_id}. Point DEPLOYMENT at this chain's manifest or fix CHAIN_ID."
        )
    with rpc_errors(rpc_url):
        actual_chain_id = w3.eth.chain_id
        if actual_chain_id != deployment.chain_id:
            raise ManifestMismatchError(
                f"The chain at {rpc_url} has chain id {actual_chain_id}, but the deployment "
                f"manifest is for chain {deployment.chain_id}. Point RPC_URL at the right "
                "chain or deploy there with `coop deploy`."
            )
        for info in deployment.contracts.values():
            code = w3.eth.get_code(Web3.to_checksum_address(info.address))
            if len(code) == 0:
                raise ManifestMismatchError(
                    f"No contract code at {info.address} ({info.name}) on the chain at "
                    f"{rpc_url}: the manifest belongs to another chain or the chain was reset. "
                    "Redeploy with `coop deploy` (or `coop up`)."
                )
    _check_deploy_block(w3, deployment, rpc_url)


def _check_deploy_block(w3: Web3, deployment: Deployment, rpc_url: str) -> None:
    with rpc_errors(rpc_url):
        try:
            block = w3.eth.get_block(deployment.deploy_block)
        except BlockNotFound:
            block = None
    if block is None or block["hash"].to_0x_hex() != deployment.deploy_block_hash:
        raise ManifestMismatchError(
            f"Block {deployment.deploy_block} on the chain at {rpc_url} is not the one the "
            "suite was deployed in: the chain was reset or is another chain. Redeploy with "
            "`coop deploy` (or `coop up`)."
        )


class DeploymentChecks:
    """`validate_deployment` in full once per (chain, manifest), then only the deploy block.

    Pages re-read chain facts every few seconds; the full check costs one call per
    contract plus two. Once a manifest has passed against a chain, re-reading the
    deploy block's hash (one call) still catches what the full check is for: a
    reset chain or another chain behind the same URL has a different block there.
    """

    def __init__(self) -> None:
        self._passed: set[tuple[object, ...]] = set()
        self._lock = threading.Lock()

    def check(self, w3: Web3, deployment: Deployment, rpc_url: str, chain_id: int) -> None:
        key = (
            rpc_url,
            chain_id,
            deployment.chain_id,
            deployment.deploy_block,
            deployment.deploy_block_hash,
            tuple(sorted((n, c.address.lower()) for n, c in deployment.contracts.items())),
        )
        with self._lock:
            passed = key in self._passed
        if passed:
            _check_deploy_block(w3, deployment, rpc_url)
            return
        validate_deployment(w3, deployment, rpc_url, chain_id)
        with self._lock:
            self._passed.add(key)
