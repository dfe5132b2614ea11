"""The alembic migrations create exactly the schema the models declare."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlmodel import SQLModel

import coop_dashboard.db.models  # noqa: F401
from coop_dashboard.db.engine import create_tables, get_engine
from coop_dashboard.db.migrations import current_revision, head_revision, upgrade_database

ADMIN_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"


def _differences(database_url: str) -> list[object]:
    with get_engine(database_url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        return list(compare_metadata(context, SQLModel.metadata))


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL database (skipped when the server is not there)."""
    name = f"coop_migrations_{uuid.uuid4().hex[:10]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    yield url
    get_engine(url).dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def test_sqlite_upgrade_matches_the_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'coop.db'}"
    assert upgrade_database(url) == head_revision() is not None
    assert _differences(url) == []
    assert upgrade_database(url) == head_revision()  # idempotent


def test_postgresql_upgrade_matches_the_models(postgres_url: str) -> None:
    assert upgrade_database(postgres_url) == head_revision()
    assert _differences(postgres_url) == []


def test_a_database_made_from_the_models_is_stamped_not_recreated(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'coop.db'}"
    create_tables(get_engine(url))
    with get_engine(url).connect() as connection:
        assert current_revision(connection) is None
    assert upgrade_database(url) == head_revision()
    assert _differences(url) == []
