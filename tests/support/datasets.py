"""DatasetRegistry in tests: registrations with real CIDs, and acting as governance."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from web3 import Web3
from web3.contract import Contract
from web3.logs import DISCARD
from web3.types import TxReceipt

from coop_dashboard.chain.contracts import Deployment, write_manifest
from coop_dashboard.chain.dataset_registry import Registration
from coop_dashboard.chain.transact import Sender
from coop_dashboard.config import Settings, load_settings
from coop_dashboard.content.cid import cid_for_bytes, sha256_digest
from coop_dashboard.db.migrations import upgrade_database
from tests.support.chains import Chain

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
