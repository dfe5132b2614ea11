"""The spec service on hostile bytes (no chain): what it saves for a JobSpec, for bytes
that are not one and for a CID it cannot read; and its lifespan task on a database
nobody has migrated yet (it migrates first: no "no such table" in the log)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

import pytest
from sqlalchemy import inspect

from coop_dashboard.content.cid import cid_for_bytes
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.db.engine import get_engine
from coop_dashboard.demo.job_content import digits_spec
from coop_dashboard.services.jobs.spec import MAX_SPEC_BYTES
from coop_dashboard.services.jobs.spec_facts import job_spec_housekeeping, read_spec_facts


def test_a_job_spec_gives_its_facts_and_words(tmp_path: Path) -> None:
    store = LocalContentStore(tmp_path)
    facts = read_spec_facts(store, "ipfs://" + store.put(digits_spec(3)))
    assert facts is not None and facts.problem is None
    assert (facts.task, facts.recipe, facts.metric, facts.target_units) == (
        "classification",
        "logistic_regression",
        "f1_macro",
        930_000,
    )
    assert {"Logistic regression", "F1 (macro)", "digit"} <= set(facts.words)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b"\xff\xfe not utf-8", "not UTF-8"),
        (b"[1, 2]", "must be a JSON object"),
        (b'{"version": 1, "version": 1}', "twice"),
        (b'{"target_score": NaN}', "not a number"),
        (b"x" * (MAX_SPEC_BYTES + 1), "Too large"),
    ],
)
def test_bytes_that_are_no_job_spec_are_recorded_with_the_reason(
    tmp_path: Path, raw: bytes, problem: str
) -> None:
    store = LocalContentStore(tmp_path)
    facts = read_spec_facts(store, store.put(raw))
    assert facts is not None and facts.recipe is None and facts.words == ()
    assert facts.problem is not None and problem in facts.problem


def test_a_cid_not_stored_waits_and_a_non_cid_is_recorded(tmp_path: Path) -> None:
    store = LocalContentStore(tmp_path)
    assert read_spec_facts(store, cid_for_bytes(b"arrives later")) is None
    for hostile in ("bafy\ufffd\ufffdspec", "../../etc/passwd", "", "b" * 200):
        facts = read_spec_facts(store, hostile)
        assert facts is not None and facts.problem == "Not a content identifier."


def test_housekeeping_migrates_an_empty_database_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    database_url = f"sqlite:///{tmp_path / 'fresh.db'}"
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("CONTENT_DIR", str(tmp_path / "content"))
    monkeypatch.setenv("COOP_DATA_DIR", str(tmp_path))

    async def first_rounds() -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(job_spec_housekeeping(), timeout=3.0)

    with caplog.at_level(logging.WARNING):
        asyncio.run(first_rounds())
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    tables = inspect(get_engine(database_url)).get_table_names()
    assert {"job_spec", "job_state", "alembic_version"} <= set(tables)
