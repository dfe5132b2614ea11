"""The alembic migrations create exactly the schema the models declare."""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.exc import OperationalError
from sqlmodel import SQLModel

import coop_dashboard.db.models  # noqa: F401
from coop_dashboard.config import PROJECT_ROOT, load_settings
from coop_dashboard.db.chain_tables import ProposalTally, table_of
from coop_dashboard.db.engine import create_tables, get_engine
from coop_dashboard.db.migrations import (
    UnrecognisedSchemaError,
    current_revision,
    head_revision,
    upgrade_database,
)
from coop_dashboard.indexer.handlers.default import build_default_registry
from coop_dashboard.indexer.store import IndexStore
from coop_dashboard.services.sign_in import auth_engine

ADMIN_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
INITIAL_REVISION = "3c083bdc5b00"


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


@pytest.fixture(params=["sqlite", "postgresql"])
def any_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'coop.db'}"
    else:
        yield request.getfixturevalue("postgres_url")


def test_sqlite_upgrade_matches_the_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'coop.db'}"
    assert upgrade_database(url) == head_revision() is not None
    assert _differences(url) == []
    assert upgrade_database(url) == head_revision()  # idempotent


def test_postgresql_upgrade_matches_the_models(postgres_url: str) -> None:
    assert upgrade_database(postgres_url) == head_revision()
    assert _differences(postgres_url) == []


def test_a_database_made_from_the_models_is_stamped_not_recreated(any_database_url: str) -> None:
    url = any_database_url
    create_tables(get_engine(url))
    with get_engine(url).connect() as connection:
        assert current_revision(connection) is None
    assert upgrade_database(url) == head_revision()
    assert _differences(url) == []


def test_sqlite_tables_stay_without_rowid_after_every_migration(tmp_path: Path) -> None:
    # Batch migrations recreate SQLite tables to alter columns: WITHOUT ROWID must survive.
    url = f"sqlite:///{tmp_path / 'coop.db'}"
    upgrade_database(url)
    declared = {
        name
        for name, table in SQLModel.metadata.tables.items()
        if table.dialect_kwargs.get("sqlite_with_rowid") is False
    }
    with get_engine(url).connect() as connection:
        sql = {
            name: ddl
            for name, ddl in connection.execute(
                text("SELECT name, sql FROM sqlite_master WHERE type='table'")
            )
        }
    assert declared and {name for name in declared if "WITHOUT ROWID" not in sql[name]} == set()


def test_total_weight_is_backfilled_for_existing_tallies(any_database_url: str) -> None:
    url = any_database_url
    assert upgrade_database(url, INITIAL_REVISION) == INITIAL_REVISION
    tally = table_of(ProposalTally)
    big = 3 * 10**27  # past 64 bits: COOP amounts have 18 decimals
    with get_engine(url).begin() as connection:
        for proposal_id, votes in ((2**255, (big, 1, 2)), (7, (5, 0, 0))):
            connection.execute(
                insert(tally).values(
                    proposal_id=proposal_id,
                    for_votes=votes[0],
                    against_votes=votes[1],
                    abstain_votes=votes[2],
                    vote_count=3,
                )
            )
    assert upgrade_database(url) == head_revision()
    with get_engine(url).connect() as connection:
        rows = {
            proposal_id: weight
            for proposal_id, weight in connection.execute(
                select(tally.c.proposal_id, tally.c.total_weight)
            )
        }
    assert rows == {2**255: big + 3, 7: 5}
    assert _differences(url) == []


def test_a_schema_of_an_older_revision_without_history_is_placed_then_upgraded(
    any_database_url: str,
) -> None:
    # The tables of the first migration, made without alembic's bookkeeping (an
    # older version's create_all): stamping head would claim columns it lacks.
    url = any_database_url
    upgrade_database(url, INITIAL_REVISION)
    with get_engine(url).begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
    assert upgrade_database(url) == head_revision()
    assert _differences(url) == []


def test_an_unrecognised_schema_is_refused_not_stamped(any_database_url: str) -> None:
    url = any_database_url
    create_tables(get_engine(url))
    with get_engine(url).begin() as connection:
        connection.execute(text("ALTER TABLE gov_vote DROP COLUMN reason"))
    with pytest.raises(UnrecognisedSchemaError, match=r"gov_vote\.reason is missing"):
        upgrade_database(url)
    with get_engine(url).connect() as connection:
        assert current_revision(connection) is None


def test_a_revision_this_code_does_not_know_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'coop.db'}"
    upgrade_database(url)
    with get_engine(url).begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'ffffffffffff'"))
    with pytest.raises(UnrecognisedSchemaError, match="ffffffffffff"):
        upgrade_database(url)


def test_the_indexer_migrates_instead_of_creating_tables(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'coop.db'}"
    store = IndexStore(
        get_engine(url), build_default_registry(), deployment_key="k", chain_id=1, contracts={}
    )
    store.ensure_schema()
    with get_engine(url).connect() as connection:
        assert current_revision(connection) == head_revision()


def test_sign_in_migrates_a_fresh_database_instead_of_creating_tables(tmp_path: Path) -> None:
    settings = dataclasses.replace(
        load_settings(), database_url=f"sqlite:///{tmp_path / 'coop.db'}"
    )
    engine = auth_engine(settings)
    with engine.connect() as connection:
        assert current_revision(connection) == head_revision()


def test_no_runtime_module_creates_tables_from_the_models() -> None:
    # Only migrations create tables at run time; create_tables is for test fixtures.
    package = PROJECT_ROOT / "coop_dashboard"
    offenders = [
        str(path.relative_to(PROJECT_ROOT))
        for path in package.rglob("*.py")
        if path != package / "db" / "engine.py"
        and re.search(r"\bcreate_(all|tables)\(", path.read_text())
    ]
    assert offenders == []
