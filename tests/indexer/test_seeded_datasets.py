"""The demo's datasets: seeded on a real chain from scikit-learn's data, indexed, their
cards read by the card service; lineage, a superseded version, a delisting by an
executed proposal, two curators' attestations, and every card valid Croissant."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import mlcroissant
import pytest
from sqlalchemy import text

from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.seed import MEMBERS, SeedReport, seed_demo
from coop_dashboard.chain.seed_datasets import CURATORS
from coop_dashboard.config import Settings
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.db import dataset_queries as dq
from coop_dashboard.db.dataset_cards import unread_card_cids
from coop_dashboard.db.engine import get_engine
from coop_dashboard.db.migrations import upgrade_database
from coop_dashboard.indexer.announce import IndexedHead
from coop_dashboard.indexer.config import IndexerConfig
from coop_dashboard.indexer.service import run_once
from coop_dashboard.services.datasets.card_facts import (
    UNREAD_CARDS,
    dataset_housekeeping,
    fill_missing_card_facts,
)
from coop_dashboard.services.datasets.cards import card_problems, read_card
from coop_dashboard.services.datasets.demo import demo_datasets
from coop_dashboard.services.datasets.downloads import dataset_export
from coop_dashboard.services.live_data import live_hub
from tests.support.chains import deploy, start_chain
from tests.support.datasets import deployed_settings


@dataclass
class SeededDatasets:
    settings: Settings
    report: SeedReport
    store: LocalContentStore
    seconds: float  # what building and registering the datasets added to the seed


@pytest.fixture(scope="module")
def seeded(
    compiled_artifacts: dict[str, Artifact], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SeededDatasets]:
    directory = tmp_path_factory.mktemp("seeded-datasets")
    chain = start_chain(directory)
    try:
        deployment = deploy(chain, compiled_artifacts)
        store = LocalContentStore(directory / "content")
        started = time.perf_counter()
        datasets = demo_datasets(store)
        report = seed_demo(chain.w3, deployment, store, datasets=datasets)
        seconds = time.perf_counter() - started
        settings = replace(deployed_settings(chain, deployment, directory), content_dir=store.root)
        run_once(settings, IndexerConfig())
        yield SeededDatasets(settings, report, store, seconds)
    finally:
        chain.stop()


def test_the_demo_datasets_are_registered_with_their_lineage(seeded: SeededDatasets) -> None:
    ids = seeded.report.datasets
    engine = get_engine(seeded.settings.database_url)
    assert len(ids) == 11
    assert seeded.report.proposals.keys() >= {"executed", "active"}  # the rest of the seed ran
    page = dq.dataset_catalog(engine, dq.CatalogQuery(page_size=100))
    assert page.total == 11
    by_id = {row.dataset_id: row for row in page.rows}

    def facts(key: str) -> dq.DatasetFacts:
        found = dq.get_dataset(engine, ids[key])
        assert found is not None
        return found

    assert facts("digits-dedup").parents == sorted([ids["digits"], ids["digits-noise"]])
    assert facts("digits-dedup").summary.transformation == "deduplication"
    assert facts("wine-train").parents == [ids["wine-scaled"]]
    assert facts("wine-test").summary.transformation == "split"
    assert facts("digits-noise").summary.transformation == "augmentation"
    assert facts("wine-scaled").summary.transformation == "normalization"
    assert facts("cancer").summary.status == "superseded"
    assert facts("cancer").superseded_by == ids["cancer-v2"]

    mirrored = facts("digits-mirrored")
    assert mirrored.summary.status == "delisted" and mirrored.summary.bond == 0
    reason_cid = (mirrored.delisted_reason_cid or "").removeprefix("ipfs://")
    assert seeded.store.get(reason_cid).startswith(b"# Delisted: mirrored digits")
    delisting = [e for e in mirrored.history if e.kind == "delisted"]
    assert len(delisting) == 1

    members = seeded.report.members
    curators = {members[index].lower() for index in CURATORS}
    assert set(dq.current_curators(engine)) == curators
    attested = {row.curator for row in dq.dataset_attestations(engine, ids["digits"])}
    assert attested == curators
    assert by_id[ids["digits"]].quality == 90.0  # (92 + 88) / 2
    assert by_id[ids["wine-train"]].curator_verified
    assert not by_id[ids["wine-test"]].curator_verified
    assert MEMBERS[CURATORS[0]].name == "Ines Duarte"

    graph = dq.dataset_lineage(engine, ids["digits"])
    assert {(e.parent_id, e.child_id, e.transformation) for e in graph.edges} >= {
        (ids["digits"], ids["digits-noise"], "augmentation"),
        (ids["digits"], ids["digits-mirrored"], "augmentation"),
        (ids["digits-noise"], ids["digits-dedup"], "deduplication"),
    }


def test_every_card_is_true_to_its_file_and_valid_croissant(seeded: SeededDatasets) -> None:
    engine = get_engine(seeded.settings.database_url)
    for key, dataset_id in seeded.report.datasets.items():
        facts = dq.get_dataset(engine, dataset_id)
        assert facts is not None
        card = read_card(seeded.store, facts.summary.card_cid)
        assert card_problems(card.form) == {}, key
        assert card.facts.cid == facts.summary.data_cid
        data = b"".join(seeded.store.iter_content(facts.summary.data_cid))
        assert "0x" + hashlib.sha256(data).hexdigest() == facts.content_digest
        assert card.facts.row_count == data.count(b"\n") - 1
        assert card.lineage.parents == tuple(facts.parents)
        answer = dataset_export(seeded.settings, str(dataset_id), "croissant")
        assert answer.status == 200 and isinstance(answer.body, bytes)
        metadata = mlcroissant.Dataset(jsonld=__import__("json").loads(answer.body)).metadata
        assert metadata.name == card.form.name


def test_the_card_service_fills_the_catalog(
    seeded: SeededDatasets, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = get_engine(seeded.settings.database_url)
    monkeypatch.setenv("DATABASE_URL", seeded.settings.database_url)
    monkeypatch.setenv("CONTENT_DIR", str(seeded.settings.content_dir))
    monkeypatch.setenv("COOP_DATA_DIR", str(seeded.settings.data_dir))

    wine_card = dq.get_dataset(engine, seeded.report.datasets["wine"])
    assert wine_card is not None

    async def housekeeping_across_a_head() -> tuple[bool, bool]:
        task = asyncio.ensure_future(dataset_housekeeping())  # the app's lifespan task
        try:
            await _until(lambda: not unread_card_cids(engine, 100))
            # The hub's first look at the unread cards wakes the task once more: let it pass.
            hub = live_hub()
            await _until(lambda: hub.cached(UNREAD_CARDS, seeded.settings.database_url) is not None)
            await asyncio.sleep(0.3)
            # The indexer forgets a card's facts (as a re-indexed card would look): nothing
            # is read until the hub sees the change at an indexed head (no polling).
            with engine.begin() as connection:
                connection.execute(
                    text("DELETE FROM dataset_card WHERE card_cid = :cid"),
                    {"cid": wine_card.summary.card_cid},
                )
            await asyncio.sleep(0.5)
            unread_without_a_head = bool(unread_card_cids(engine, 100))
            hub.head_arrived(IndexedHead(10**6, "0x" + "ab" * 32))
            await _until(lambda: not unread_card_cids(engine, 100))
            return unread_without_a_head, task.done()
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    assert asyncio.run(housekeeping_across_a_head()) == (True, False)
    assert fill_missing_card_facts(seeded.settings) == 0  # each card is read once
    page = dq.dataset_catalog(engine, dq.CatalogQuery(search="wine", page_size=100))
    names = sorted(row.name or "" for row in page.rows)
    assert names == [
        "Wine recognition (UCI)",
        "Wine recognition, standardised",
        "Wine recognition, standardised: test split",
        "Wine recognition, standardised: train split",
    ]
    licensed = dq.dataset_catalog(engine, dq.CatalogQuery(license="CC-BY-4.0", page_size=100))
    assert licensed.total == 11


async def _until(condition: Callable[[], bool], within_s: float = 10.0) -> None:
    deadline = time.monotonic() + within_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


def test_the_seed_stays_fast(seeded: SeededDatasets) -> None:
    # Building the files and cards and registering them (one proposal, ~30 transactions).
    print(f"demo datasets added {seeded.seconds:.1f} s to the seed")
    assert seeded.seconds < 60


def test_files_are_where_the_cards_say(seeded: SeededDatasets, tmp_path: Path) -> None:
    wine = seeded.report.datasets["wine"]
    answer = dataset_export(seeded.settings, str(wine), "car")
    assert answer.status == 200
    assert not isinstance(answer.body, bytes)
    assert sum(len(piece) for piece in answer.body) > 11_000


def test_the_card_service_on_each_database(seeded: SeededDatasets, database_url: str) -> None:
    settings = replace(seeded.settings, database_url=database_url)
    upgrade_database(database_url)
    run_once(settings, IndexerConfig())
    assert fill_missing_card_facts(settings, limit=5) == 5  # newest first, in rounds
    assert fill_missing_card_facts(settings) == 6
    assert fill_missing_card_facts(settings) == 0
    engine = get_engine(database_url)
    digits = dq.get_dataset(engine, seeded.report.datasets["digits"])
    assert digits is not None and digits.summary.name == "Handwritten digits (UCI, 8x8)"
    assert digits.summary.license == "CC-BY-4.0"
