"""/models is paged in SQL: more models than the old 500-row cap, every page reachable,
the dataset filter kept across pages, a page past the end shows the last (migrated SQLite)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, insert

from coop_dashboard.db.chain_tables import table_of
from coop_dashboard.db.engine import get_engine
from coop_dashboard.db.job_queries import MAX_MODELS, models_page
from coop_dashboard.db.job_tables import JobDataset, JobModel
from coop_dashboard.db.migrations import upgrade_engine
from coop_dashboard.services.jobs.model_view import PAGE_SIZE, ModelsKey, read_models_view

MODELS = MAX_MODELS + 25  # more than list_models ever showed
PROVIDER = "0x" + "ab" * 20


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    path: Path = tmp_path_factory.mktemp("models") / "index.db"
    engine = get_engine(f"sqlite:///{path}")
    upgrade_engine(engine)
    models, datasets = [], []
    for n in range(1, MODELS + 1):
        # Model n comes from job n, which trained on dataset 7 (even jobs) or 8 (odd), and 9.
        models.append(
            {
                "block_number": 1_000 + n,
                "log_index": 1,
                "model_id": n,
                "job_id": n,
                "provider": PROVIDER,
                "checkpoint_digest": "0x" + "11" * 32,
                "metrics_digest": "0x" + "22" * 32,
                "purpose": "research",
                "tx_hash": "0x" + f"{n:064x}",
                "block_timestamp": 1_800_000_000 + n,
            }
        )
        for position, dataset in enumerate((7 if n % 2 == 0 else 8, 9)):
            datasets.append(
                {
                    "block_number": n,
                    "log_index": 0,
                    "position": position,
                    "job_id": n,
                    "dataset_id": dataset,
                }
            )
    with engine.begin() as connection:
        connection.execute(insert(table_of(JobModel)), models)
        connection.execute(insert(table_of(JobDataset)), datasets)
    return engine


def test_every_model_is_on_some_page_newest_first(engine: Engine) -> None:
    first = models_page(engine, page=1, page_size=PAGE_SIZE)
    assert first.total == MODELS and first.pages == -(-MODELS // PAGE_SIZE) == 27
    assert [m.model_id for m in first.rows] == list(range(MODELS, MODELS - PAGE_SIZE, -1))
    assert first.rows[0].dataset_ids == [8, 9]  # job 525 is odd: datasets in the job's order
    seen = [m.model_id for p in range(1, first.pages + 1) for m in models_page(engine, page=p).rows]
    assert seen == list(range(MODELS, 0, -1))  # no gap, no repeat, nothing capped
    last = models_page(engine, page=first.pages)
    assert [m.model_id for m in last.rows] == [5, 4, 3, 2, 1]


def test_a_page_past_the_end_shows_the_last_and_sizes_are_bounded(engine: Engine) -> None:
    beyond = models_page(engine, page=10_000)
    assert beyond.page == 27 and [m.model_id for m in beyond.rows] == [5, 4, 3, 2, 1]
    assert models_page(engine, page=0).page == 1
    assert len(models_page(engine, page_size=10**9).rows) == 100  # MAX_PAGE_SIZE
    nothing = models_page(engine, dataset_id=12_345, page=3)
    assert (nothing.total, nothing.page, nothing.pages, nothing.rows) == (0, 1, 1, [])


def test_the_dataset_filter_holds_on_every_page(engine: Engine) -> None:
    even = models_page(engine, dataset_id=7, page=1)
    assert even.total == MODELS // 2 == 262 and even.pages == 14
    assert [m.model_id for m in even.rows][:3] == [524, 522, 520]
    tail = models_page(engine, dataset_id=7, page=14)
    assert [m.model_id for m in tail.rows] == [4, 2]
    assert models_page(engine, dataset_id=9).total == MODELS  # every job used dataset 9


def test_the_page_view_says_where_it_is(engine: Engine) -> None:
    view = read_models_view(ModelsKey(dataset_id=8, page=2), engine)
    assert view.loaded and view.total_text == "263 models"
    assert (view.page, view.pages) == (2, 14)
    assert [r.model_id for r in view.rows][:2] == [485, 483]
    assert view.rows[0].link == "/models/485" and view.rows[0].datasets == "#8, #9"
    one = read_models_view(ModelsKey(dataset_id=7, page=99), engine)
    assert one.page == one.pages == 14 and len(one.rows) == 2
