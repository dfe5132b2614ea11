"""Real anvil nodes with the suite deployed (and seeded) for tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import cast

from web3 import Web3
from web3.contract import Contract

from coop_dashboard.chain.client import make_web3
from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.contracts import Deployment, write_manifest
from coop_dashboard.chain.deploy import GovernanceParams, deploy_suite
from coop_dashboard.chain.node import AnvilNode, start_anvil
from coop_dashboard.chain.seed import SeedReport, seed_demo
from coop_dashboard.chain.transact import Sender
from coop_dashboard.config import PROJECT_ROOT
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.demo.job_content import demo_job_content
from coop_dashboard.services.datasets.demo import demo_datasets

CONTRACTS_DIR = PROJECT_ROOT / "contracts"


@dataclass
class Chain:
    """A running anvil and a web3 connected to it."""

    node: AnvilNode
    w3: Web3

    @property
    def rpc_url(self) -> str:
        return self.node.rpc_url

    @property
    def chain_id(self) -> int:
        return self.node.chain_id

    def stop(self) -> None:
        self.node.stop()


@dataclass
class SeededChain(Chain):
    """A chain with the suite deployed and the demo data seeded, plus its files."""

    deployment: Deployment
    report: SeedReport
    data_dir: Path
    manifest_path: Path
    content_dir: Path


# Block states a test anvil keeps on disk beyond the ~300-500 it holds in memory
# (anvil writes each block's whole state; a long module chain filled the disk).
# Tests read past state only within their own recent activity: the indexer's
# treasury ETH reconciliation (indexer/treasury_eth.py) reads balances from the
# block its deployment was indexed from, and test chains index within a few
# hundred blocks of deploying (a seeded chain has ~80 blocks, a generated one
# a few hundred). 1,000 more leaves a wide margin and bounds the disk.
TEST_MAX_PERSISTED_STATES = 1_000


def start_chain(log_dir: Path | None = None) -> Chain:
    """A fresh anvil; its spilled block states go to `log_dir` (or a temporary folder)
    and are removed when it stops."""
    log_path = log_dir / "anvil.log" if log_dir else None
    node = start_anvil(
        CONTRACTS_DIR,
        log_path=log_path,
        cache_dir=log_dir / "anvil-states" if log_dir else None,
        max_persisted_states=TEST_MAX_PERSISTED_STATES,
    )
    return Chain(node, make_web3(node.rpc_url, timeout_s=30))


def deploy(
    chain: Chain, artifacts: dict[str, Artifact], params: GovernanceParams | None = None
) -> Deployment:
    deployer = Sender.unlocked(chain.w3, chain.w3.eth.accounts[0])
    return deploy_suite(chain.w3, artifacts, deployer, params)


def deploy_artifact(w3: Web3, artifact: Artifact, *args: object) -> Contract:
    """One more contract (a test's mock) deployed by account 0, as a bound Contract."""
    deployer = Sender.unlocked(w3, w3.eth.accounts[0])
    factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    receipt = deployer.deploy(factory.constructor(*args), what=f"deploy {artifact.name}")
    return cast(Contract, w3.eth.contract(address=receipt["contractAddress"], abi=artifact.abi))


def seed_whole_demo(w3: Web3, deployment: Deployment, store: LocalContentStore) -> SeedReport:
    """The whole demo cooperative: governance, datasets, licenses and jobs (with
    their trained models); `coop seed` (cli._seed) also writes treasury history."""
    return seed_demo(
        w3,
        deployment,
        store,
        datasets=demo_datasets(store),
        licensing=True,
        jobs=demo_job_content(),
    )


def start_seeded_chain(
    artifacts: dict[str, Artifact], data_dir: Path, *, whole_demo: bool = False
) -> SeededChain:
    """The demo's governance seed; `whole_demo` adds its datasets, licenses and jobs
    (slower: the jobs' models are trained) for tests that open those pages."""
    chain = start_chain(data_dir)
    content_dir = data_dir / "content"
    try:
        deployment = deploy(chain, artifacts)
        store = LocalContentStore(content_dir)
        if whole_demo:
            report = seed_whole_demo(chain.w3, deployment, store)
        else:
            report = seed_demo(chain.w3, deployment, store)
    except BaseException:
        chain.stop()  # a failed seed must not leak a running anvil
        raise
    manifest_path = data_dir / "deployment.json"
    write_manifest(deployment, manifest_path)
    return SeededChain(
        chain.node, chain.w3, deployment, report, data_dir, manifest_path, content_dir
    )
