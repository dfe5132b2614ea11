"""DatasetRegistry in tests: registrations with real CIDs, and acting as governance."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient
from web3 import Web3
from web3.contract import Contract
from web3.logs import DISCARD
from web3.types import TxReceipt

from coop_dashboard.api.app import build_api
from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.contracts import Deployment, write_manifest
from coop_dashboard.chain.dataset_registry import Registration
from coop_dashboard.chain.transact import Sender
from coop_dashboard.config import Settings, load_settings
from coop_dashboard.content.cid import cid_for_bytes, sha256_digest
from coop_dashboard.db.migrations import upgrade_database
from tests.support.chains import Chain, deploy, start_chain

BOND = 10**17  # the deployment's default minimum bond (0.1 ETH)


def sample_registration(
    name: str,
    *,
    parents: tuple[int, ...] = (),
    transformation: str | None = None,
    supersedes: int = 0,
    modality: str = "tabular",
    tags: tuple[str, ...] = ("tabular", "demo"),
) -> Registration:
    """A registration whose digest and CIDs are those of small real documents."""
    data = f"{name}: rows\n".encode()
    card = f'{{"name": "{name}"}}'.encode()
    note = f"{name}: how it was made".encode()
    return Registration(
        content_digest=sha256_digest(data),
        data_cid=cid_for_bytes(data),
        card_cid=cid_for_bytes(card),
        modality=modality,
        tags=tags,
        parents=parents,
        transformation=transformation or ("cleaning" if parents else "source"),
        transformation_note_cid=cid_for_bytes(note) if parents else "",
        supersedes=supersedes,
    )


def register(
    registry: Contract, who: Sender, registration: Registration, bond: int = BOND
) -> tuple[int, TxReceipt]:
    """Register and return the new dataset's id with the receipt."""
    receipt = who.call(
        registry.functions.register(registration.as_struct()), what="register", value=bond
    )
    (event,) = emitted(registry, "DatasetRegistered", receipt)
    return int(event["args"]["datasetId"]), receipt


def act_as_governance(w3: Web3, deployment: Deployment) -> Sender:
    """The timelock itself, impersonated on anvil (what an executed proposal does)."""
    timelock = deployment.address("CoopTimelock")
    w3.provider.make_request("anvil_impersonateAccount", [timelock])  # type: ignore[arg-type]
    w3.provider.make_request("anvil_setBalance", [timelock, hex(10**24)])  # type: ignore[arg-type]
    return Sender.unlocked(w3, timelock)


def emitted(contract: Contract, event: str, receipt: TxReceipt) -> list[Any]:
    """The `event` logs of `contract` in `receipt` (other events of the transaction skipped)."""
    return list(contract.events[event]().process_receipt(receipt, errors=DISCARD))


def deployed_settings(chain: Chain, deployment: Deployment, directory: Path) -> Settings:
    """Settings for an app over `chain` with everything else under `directory`: the
    manifest written there, a migrated SQLite index, the content store, an origin."""
    manifest = directory / "deployment.json"
    write_manifest(deployment, manifest)
    settings = replace(
        load_settings(),
        data_dir=directory / "data",
        rpc_url=chain.rpc_url,
        chain_id=chain.chain_id,
        deployment_path=manifest,
        database_url=f"sqlite:///{directory / 'index.db'}",
        content_dir=directory / "content",
        app_origin="https://coop.example",
    )
    upgrade_database(settings.database_url)
    return settings


@contextmanager
def api_client(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The app's HTTP API (Starlette's test client) over `settings`, given to it through
    the environment as a deployment would."""
    for name, value in (
        ("COOP_DATA_DIR", settings.data_dir),
        ("CONTENT_DIR", settings.content_dir),
        ("DATABASE_URL", settings.database_url),
        ("APP_ORIGIN", settings.app_origin),
        ("RPC_URL", settings.rpc_url),
        ("CHAIN_ID", settings.chain_id),
        ("DEPLOYMENT", settings.deployment_path),
    ):
        monkeypatch.setenv(name, str(value))
    with TestClient(build_api()) as client:
        yield client


@contextmanager
def deployed_app(
    artifacts: dict[str, Artifact], directory: Path
) -> Iterator[tuple[Chain, Deployment, Settings]]:
    """A fresh anvil with the suite deployed, and the app's settings over it (see
    `deployed_settings`); the chain stops on exit."""
    chain = start_chain(directory)
    try:
        deployment = deploy(chain, artifacts)
        yield chain, deployment, deployed_settings(chain, deployment, directory)
    finally:
        chain.stop()
