"""Registering datasets end to end on a real chain, index and store: prepare_registration
checks and stores the card, the unsigned transaction is sent as a wallet would, the
indexer records it, and the public exports answer over HTTP (Starlette's httpx client on
the app's API): Croissant validated by mlcroissant, PROV-JSON re-read with prov, card.md's
YAML header parsed, the CAR read back by the npm @ipld/car reader. Bad input is refused
with a clear message and nothing stored half-way; abandoned uploads are collected."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import mlcroissant
import pytest
import yaml
from prov.model import ProvDocument
from sqlalchemy import func, select
from starlette.testclient import TestClient
from web3.logs import DISCARD

from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.contracts import Deployment
from coop_dashboard.config import Settings
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.db.chain_tables import table_of
from coop_dashboard.db.dataset_queries import get_dataset
from coop_dashboard.db.dataset_tables import DatasetCard
from coop_dashboard.db.engine import get_engine
from coop_dashboard.indexer.config import IndexerConfig
from coop_dashboard.indexer.service import run_once
from coop_dashboard.services.datasets.cards import CardForm
from coop_dashboard.services.datasets.register import (
    UPLOAD_GRACE_SECONDS,
    RegistrationRefused,
    RegistrationRequest,
    collect_rejected_uploads,
    prepare_registration,
    record_upload,
    uploads_ledger,
)
from tests.support.chains import Chain, deploy, start_chain
from tests.support.datasets import BOND, act_as_governance, api_client, deployed_settings
from tests.unit.content.ipfs_reference import read_car

FORM = CardForm(
    name="Iris measurements",
    description="Sepal and petal sizes of 150 irises of three species.",
    license="CC0-1.0",
    purpose="A first classification exercise.",
    collection_method="Measured by hand by Edgar Anderson on the Gaspé Peninsula.",
    biases_limitations="Three species, 50 flowers each, one region.",
    keywords=("botany", "tabular"),
)
HEADER = b"sepal_length,sepal_width,species\n"
RAW = HEADER + b"5.1,3.5,setosa\n7.0,3.2,versicolor\n6.3,3.3,virginica\n"
NORMALISED = HEADER + b"0.0,1.0,setosa\n1.0,0.0,versicolor\n0.63,0.33,virginica\n"
REASON = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"


@dataclass
class World:
    chain: Chain
    deployment: Deployment
    settings: Settings
    store: LocalContentStore
    alice: str
    raw_id: int = 0
    child_id: int = 0


def _upload(world: World, name: str, data: bytes) -> str:
    path = world.settings.data_dir / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    cid = world.store.put_path(path, move=True).cid
    record_upload(uploads_ledger(world.settings), cid)
    return cid


def _request(data_cid: str, **changes: object) -> RegistrationRequest:
    request = RegistrationRequest(data_cid=data_cid, form=FORM, modality="tabular", bond_wei=BOND)
    return replace(request, **changes)  # type: ignore[arg-type]


def _send(world: World, request: RegistrationRequest) -> int:
    prepared = prepare_registration(world.settings, world.alice, request)
    w3 = world.chain.w3
    tx_hash = w3.eth.send_transaction(prepared.write.tx.wallet_params())  # type: ignore[arg-type]
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash)
    assert receipt["status"] == 1
    registry = world.deployment.contract(w3, "DatasetRegistry")
    (event,) = registry.events.DatasetRegistered().process_receipt(receipt, errors=DISCARD)
    assert event["args"]["cardCid"] == prepared.card_cid
    assert event["args"]["contentDigest"].hex() == prepared.facts.sha256_hex
    return int(event["args"]["datasetId"])


def _index(world: World) -> None:
    run_once(world.settings, IndexerConfig())


@pytest.fixture(scope="module")
def world(
    compiled_artifacts: dict[str, Artifact], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    directory = tmp_path_factory.mktemp("dataset-registration")
    chain = start_chain(directory)
    try:
        deployment = deploy(chain, compiled_artifacts)
        settings = deployed_settings(chain, deployment, directory)
        world = World(
            chain,
            deployment,
            settings,
            LocalContentStore(settings.content_dir),
            chain.w3.eth.accounts[3],
        )
        world.raw_id = _send(world, _request(_upload(world, "raw.csv", RAW)))
        _index(world)  # parents are checked in the index
        world.child_id = _send(
            world,
            _request(
                _upload(world, "normalised.csv", NORMALISED),
                form=replace(FORM, name="Iris, min-max normalised"),
                parents=(world.raw_id,),
                transformation="normalization",
                transformation_note="Each measurement scaled to [0, 1] over the raw set.",
            ),
        )
        _index(world)
        yield world
    finally:
        chain.stop()


@pytest.fixture
def client(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    with api_client(world.settings, monkeypatch) as test_client:
        yield test_client


def test_registered_datasets_are_indexed_with_their_card(world: World) -> None:
    facts = get_dataset(get_engine(world.settings.database_url), world.child_id)
    assert facts is not None
    assert facts.summary.name == "Iris, min-max normalised"  # the card's facts, saved
    assert facts.summary.license == "CC0-1.0"
    assert facts.parents == [world.raw_id] and facts.summary.transformation == "normalization"
    assert facts.transformation_note_cid  # the note went to the store


def test_croissant_export_validates(world: World, client: TestClient) -> None:
    response = client.get(f"/api/datasets/{world.child_id}/croissant")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ld+json"
    document = response.json()
    metadata = mlcroissant.Dataset(jsonld=document).metadata
    assert metadata.name == "Iris, min-max normalised"
    assert document["url"] == f"https://coop.example/datasets/{world.child_id}"
    assert document["prov:wasDerivedFrom"] == [
        {"@id": f"https://coop.example/datasets/{world.raw_id}"}
    ]
    assert document["prov:wasGeneratedBy"]["name"] == "normalization"
    assert "scaled to [0, 1]" in document["prov:wasGeneratedBy"]["description"]
    (file_object,) = document["distribution"]
    assert file_object["sha256"] == __import__("hashlib").sha256(NORMALISED).hexdigest()
    assert file_object["contentSize"] == f"{len(NORMALISED)} B"


def test_prov_export_reads_back_equal(world: World, client: TestClient) -> None:
    response = client.get(f"/api/datasets/{world.raw_id}/prov")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    document = ProvDocument.deserialize(content=response.text, format="json")
    again = ProvDocument.deserialize(content=json.dumps(response.json()), format="json")
    assert document == again
    text = response.text
    assert f"coop:dataset-{world.raw_id}" in text and f"coop:dataset-{world.child_id}" in text
    assert "wasDerivedFrom" in text and "wasGeneratedBy" in text and "wasAttributedTo" in text
    assert f"coop:account-{world.alice.lower()}" in text


def test_card_md_export_has_a_yaml_header(world: World, client: TestClient) -> None:
    response = client.get(f"/api/datasets/{world.child_id}/card.md")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/markdown; charset=utf-8"
    header = yaml.safe_load(response.text.split("---\n")[1])
    assert header["pretty_name"] == "Iris, min-max normalised" and header["license"] == "cc0-1.0"
    assert "## Bias, Risks, and Limitations" in response.text


def test_car_export_is_read_by_the_reference_reader(
    world: World, client: TestClient, tmp_path: Path
) -> None:
    response = client.get(f"/api/datasets/{world.raw_id}/car")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.ipld.car"
    car = tmp_path / "raw.car"
    car.write_bytes(response.content)
    assert int(response.headers["content-length"]) == len(response.content)
    result = read_car(car, tmp_path / "raw.csv")
    facts = get_dataset(get_engine(world.settings.database_url), world.raw_id)
    assert facts is not None and result["roots"] == [facts.summary.data_cid]
    assert (tmp_path / "raw.csv").read_bytes() == RAW
    head = client.head(f"/api/datasets/{world.raw_id}/car")  # headers only
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == response.headers["content-length"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/datasets/999/croissant",
        "/api/datasets/0/prov",
        "/api/datasets/-1/card.md",
        "/api/datasets/1e3/car",
        "/api/datasets/%D9%A3/croissant",  # an Arabic-Indic digit: not an id
        "/api/datasets/99999999999999999999999/car",
        "/api/datasets/1/sql",
    ],
)
def test_unknown_or_invalid_ids_are_404(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "text/plain; charset=utf-8"


def _store_files(world: World) -> set[Path]:
    root = world.settings.content_dir
    return {p for p in root.rglob("*") if p.is_file() and ".tmp" not in p.parts}


def _card_rows(world: World) -> int:
    cards = table_of(DatasetCard)
    with get_engine(world.settings.database_url).connect() as connection:
        return int(connection.execute(select(func.count()).select_from(cards)).scalar_one())


def _refused(world: World, request: RegistrationRequest, field: str, message: str) -> None:
    before = (_store_files(world), _card_rows(world))
    with pytest.raises(RegistrationRefused, match=message) as refused:
        prepare_registration(world.settings, world.alice, request)
    assert field in refused.value.problems
    assert (_store_files(world), _card_rows(world)) == before  # nothing stored half-way


def test_bad_registrations_are_refused_before_anything_is_stored(world: World) -> None:
    data = _upload(world, "another.csv", RAW + b"5.9,3.0,virginica\n")
    _refused(world, _request(data, form=replace(FORM, purpose="")), "purpose", "required")
    _refused(world, _request(_upload(world, "empty", b"")), "data_cid", "empty")
    _refused(world, _request(REASON), "data_cid", "not in the store")
    _refused(world, _request("not a cid"), "data_cid", "Upload the data file")
    many = tuple(range(1, 18))
    _refused(world, _request(data, parents=many, transformation="merge"), "parents", "At most 16")
    _refused(world, _request(data, parents=(999,), transformation="merge"), "parents", "#999")
    _refused(world, _request(data, parents=(world.raw_id,)), "transformation", "source")
    _refused(world, _request(data, bond_wei=BOND - 1), "bond", "asks at least 0.1 ETH")
    _refused(world, _request(data, modality="x" * 33), "modality", "1 to 32 bytes")
    small = replace(world.settings, dataset_max_bytes=10)
    with pytest.raises(RegistrationRefused, match="larger than the 10 bytes"):
        prepare_registration(small, world.alice, _request(data))
    stranger_version = _request(data, supersedes=world.raw_id)
    stranger = world.chain.w3.eth.accounts[5]
    with pytest.raises(RegistrationRefused, match="Only the owner"):
        prepare_registration(world.settings, stranger, stranger_version)


def test_a_delisted_parent_is_refused(world: World) -> None:
    delisted = _send(world, _request(_upload(world, "to-delist.csv", RAW + b"1,2,x\n")))
    _index(world)
    w3 = world.chain.w3
    registry = world.deployment.contract(w3, "DatasetRegistry")
    act_as_governance(w3, world.deployment).call(
        registry.functions.delist(
            delisted, "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"
        ),
        what="delist",
    )
    data = _upload(world, "child-of-delisted.csv", RAW + b"2,3,y\n")
    request = _request(data, parents=(delisted,), transformation="filtering")
    # Not indexed yet: the simulation refuses it, and the card waits for collection.
    cards_before = _card_rows(world)
    with pytest.raises(RegistrationRefused, match="delisted") as refused:
        prepare_registration(world.settings, world.alice, request)
    assert "chain" in refused.value.problems and _card_rows(world) == cards_before
    ledger = {p.name for p in uploads_ledger(world.settings).iterdir()}
    assert len(ledger) >= 2  # the data file and the card, to be collected
    _index(world)
    _refused(world, request, "parents", "delisted")  # refused from the index now


def test_abandoned_uploads_are_collected_after_the_grace_period(world: World) -> None:
    data = _upload(world, "abandoned.csv", RAW + b"9,9,abandoned\n")
    prepared = prepare_registration(world.settings, world.alice, _request(data))
    store, engine = world.store, get_engine(world.settings.database_url)
    registered = get_dataset(engine, world.raw_id)
    assert registered is not None
    assert collect_rejected_uploads(world.settings) == []  # within the grace period
    later = time.time() + UPLOAD_GRACE_SECONDS + 60
    removed = collect_rejected_uploads(world.settings, now=later)
    assert data in removed and prepared.card_cid in removed
    assert not store.has(data) and not store.has(prepared.card_cid)
    assert store.has(registered.summary.data_cid) and store.has(registered.summary.card_cid)
    cards = table_of(DatasetCard)
    with engine.connect() as connection:
        saved = set(connection.execute(select(cards.c.card_cid)).scalars())
    assert prepared.card_cid not in saved and registered.summary.card_cid in saved
    assert collect_rejected_uploads(world.settings, now=later) == []  # the ledger is empty


def test_a_corrupt_card_is_never_served(world: World, client: TestClient) -> None:
    facts = get_dataset(get_engine(world.settings.database_url), world.raw_id)
    assert facts is not None
    card_cid = facts.summary.card_cid
    path = world.settings.content_dir / card_cid[:10] / card_cid
    original = path.read_bytes()
    try:
        path.write_bytes(original.replace(b"Iris", b"Evil"))
        response = client.get(f"/api/datasets/{world.raw_id}/croissant")
        assert response.status_code == 502 and b"Evil" not in response.content
        assert "does not match its CID" in response.text
    finally:
        path.write_bytes(original)
