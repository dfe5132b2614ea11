"""Dataset catalog benchmark: one page of `db.dataset_queries.dataset_catalog` over 10,000 datasets.

    .venv/bin/python benchmarks/dataset_catalog.py [--datasets 10000]
        [--database-url postgresql://...]  (an empty database; default: a fresh SQLite file)

Fills the tables the indexer keeps for the catalog (dataset_state, dataset_tag,
dataset_card) with bulk inserts, as the indexer writes them: random modalities,
three tags each out of 60, statuses, use counts, three datasets in four rated,
card facts with names and licenses. Then times each view of the catalog's
first page (the default, each sort, each filter, a search, a deep page),
median and p95 over repeated calls. Target (issue 13): first page p95 < 50 ms.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from coop_dashboard.db import dataset_queries as dq
from coop_dashboard.db.bulk_insert import bulk_insert
from coop_dashboard.db.chain_tables import table_of
from coop_dashboard.db.dataset_cards import card_columns
from coop_dashboard.db.dataset_tables import DatasetCard, DatasetState, DatasetTag
from coop_dashboard.db.engine import make_engine
from coop_dashboard.db.migrations import upgrade_engine

TAGS = [f"tag{i}" for i in range(60)]
MODALITIES = ["tabular", "image", "text", "audio", "video"]
STATUSES = ["active"] * 8 + ["superseded", "licensing_paused", "delisted"]
LICENSES = ["CC-BY-4.0", "MIT", "CC0-1.0", "CC-BY-NC-4.0"]
SUBJECTS = ["digits", "wine", "breast cancer", "faces", "speech", "reviews"]
VIEWS: dict[str, dq.CatalogQuery] = {
    "newest (default)": dq.CatalogQuery(),
    "best quality": dq.CatalogQuery(sort="quality"),
    "most used": dq.CatalogQuery(sort="most_used"),
    "status = delisted": dq.CatalogQuery(statuses=("delisted",)),
    "one tag": dq.CatalogQuery(tags=("tag7",)),
    "two tags + modality": dq.CatalogQuery(tags=("tag7", "tag9"), modality="image"),
    "curator-verified, best": dq.CatalogQuery(curator_verified=True, sort="quality"),
    "license, most used": dq.CatalogQuery(license="MIT", sort="most_used"),
    'search "wine"': dq.CatalogQuery(search="wine"),
    "page 200": dq.CatalogQuery(page=200),
}


def fill(engine: Engine, count: int, seed: int = 13) -> None:
    rng = random.Random(seed)
    states: list[dict[str, Any]] = []
    tags: list[dict[str, Any]] = []
    cards: list[dict[str, Any]] = []
    for dataset_id in range(1, count + 1):
        chosen = rng.sample(TAGS, 3)
        rated = rng.random() < 0.75
        cid = f"bafkrei{dataset_id:052d}"
        name = f"{rng.choice(SUBJECTS).title()} #{dataset_id}"
        license_name = rng.choice(LICENSES)
        card_text = f"{name} collected for the benchmark {license_name}".lower()
        states.append(
            {
                "dataset_id": dataset_id,
                "contributor": f"0x{dataset_id % 97:040x}",
                "owner": f"0x{dataset_id % 97:040x}",
                "status": rng.choice(STATUSES),
                "paused_by_governance": False,
                "content_digest": "0x" + "ab" * 32,
                "data_cid": cid,
                "card_cid": cid,
                "modality": rng.choice(MODALITIES),
                "tags": json.dumps(chosen),
                "transformation": "source",
                "parent_count": 0,
                "use_count": rng.randint(0, 50),
                "bond": 10**17,
                "bond_unlocks_at": 0,
                "attestation_count": 2 if rated else 0,
                "quality": rng.randint(0, 10_000) if rated else -1,
                "curator_verified": rated,
                "search_text": " ".join([*chosen, cid]),
                "registered_block": dataset_id,
                "registered_at": dataset_id,
                "updated_at": dataset_id,
            }
            | card_columns(name, license_name, card_text)
        )
        tags.extend(
            {"block_number": dataset_id, "log_index": 0, "position": p, "dataset_id": dataset_id}
            | {"tag": tag}
            for p, tag in enumerate(chosen)
        )
        cards.append(
            {
                "card_cid": cid,
                "name": name,
                "description": "Collected for the benchmark. " * 8,
                "license": license_name,
                "search_text": card_text,
                "fetched_at": 0,
            }
        )
    with engine.begin() as connection:
        bulk_insert(connection, table_of(DatasetState), states)
        bulk_insert(connection, table_of(DatasetTag), tags)
        bulk_insert(connection, table_of(DatasetCard), cards)
        if engine.dialect.name == "postgresql":
            connection.execute(text("ANALYZE"))


def timings(engine: Engine, query: dq.CatalogQuery, repeats: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        dq.dataset_catalog(engine, query)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=60)
    parser.add_argument("--database-url", help="an empty database (default: a fresh SQLite file)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="coop-catalog-") as directory:
        url = args.database_url or f"sqlite:///{Path(directory) / 'catalog.db'}"
        engine = make_engine(url)
        upgrade_engine(engine)
        fill(engine, args.datasets)
        print(f"{args.datasets:,} datasets on {engine.dialect.name}; median / p95 of a page:")
        worst = 0.0
        for name, query in VIEWS.items():
            median, p95 = timings(engine, query, args.repeats)
            worst = max(worst, p95)
            print(f"  {name:<24} {median:6.1f} / {p95:6.1f} ms")
        engine.dispose()
    print(f"worst p95 {worst:.1f} ms (target: first page < 50 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
