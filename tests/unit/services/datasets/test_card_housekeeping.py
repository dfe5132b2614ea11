"""The card service's lifespan task on a database nobody has migrated yet: it migrates
first, so its first read finds the tables (no "no such table" in the log)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

import pytest
from sqlalchemy import inspect

from coop_dashboard.db.engine import get_engine
from coop_dashboard.services.datasets.card_facts import dataset_housekeeping


def test_housekeeping_migrates_an_empty_database_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    database_url = f"sqlite:///{tmp_path / 'fresh.db'}"
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("CONTENT_DIR", str(tmp_path / "content"))
    monkeypatch.setenv("COOP_DATA_DIR", str(tmp_path))

    async def first_rounds() -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(dataset_housekeeping(), timeout=3.0)

    with caplog.at_level(logging.WARNING):
        asyncio.run(first_rounds())
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    tables = inspect(get_engine(database_url)).get_table_names()
    assert {"dataset_card", "dataset_state", "alembic_version"} <= set(tables)
