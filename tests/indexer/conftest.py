"""Fixtures for the indexer tests: a database per test on SQLite and on PostgreSQL.

PostgreSQL runs at 127.0.0.1:5432 (trust auth, database `test`); each test
gets its own schema (dropped afterwards), so runs never see each other's rows
or advisory locks. PostgreSQL tests are skipped when the server is unreachable.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.contracts import Deployment, write_manifest
from coop_dashboard.chain.deploy import GovernanceParams
from coop_dashboard.chain.loadgen import LoadReport, generate_load
from coop_dashboard.config import Settings, load_settings
from coop_dashboard.db.engine import get_engine
from tests.support.chains import Chain, deploy, start_chain
from tests.support.databases import POSTGRES_SERVER


def _postgres_reachable() -> bool:
    try:
        engine = create_engine(POSTGRES_SERVER, connect_args={"connect_timeout": 2})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception:  # noqa: BLE001 - any failure means "no server here"
        return False
    return True


_POSTGRES_UP = _postgres_reachable()


def new_database_url(kind: str, tmp_path: Path) -> str:
    """An empty database of `kind` ("sqlite" or "postgresql")."""
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / f'index-{uuid.uuid4().hex[:8]}.db'}"
    schema = f"idx_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_SERVER)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    url = f"{POSTGRES_SERVER}?options=-csearch_path%3D{schema}"
    _created_schemas.append((url, schema))
    return url


_created_schemas: list[tuple[str, str]] = []


def drop_test_schemas() -> None:
    if not _created_schemas:
        return
    admin = create_engine(POSTGRES_SERVER)
    with admin.begin() as connection:
        for url, schema in _created_schemas:
            get_engine(url).dispose()  # idle pooled connections of the test
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()
    _created_schemas.clear()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_kind(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql" and not _POSTGRES_UP:
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
    return str(request.param)


@pytest.fixture
def database_url(db_kind: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database for one test."""
    url = new_database_url(db_kind, tmp_path)
    yield url
    get_engine(url).dispose()
    drop_test_schemas()


@pytest.fixture
def make_database_url(db_kind: str, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """A factory of further fresh databases of the same kind (for clean comparison runs)."""

    def make() -> str:
        return new_database_url(db_kind, tmp_path)

    yield make
    drop_test_schemas()


def indexer_settings(rpc_url: str, manifest: Path, database_url: str) -> Settings:
    return replace(
        load_settings(), rpc_url=rpc_url, deployment_path=manifest, database_url=database_url
    )


def engine_for(database_url: str) -> Engine:
    return get_engine(database_url)


@dataclass
class GeneratedChain:
    """A deployment with generated activity (transfers, delegations, votes, treasury funding)."""

    chain: Chain
    deployment: Deployment
    manifest_path: Path
    report: LoadReport

    @property
    def rpc_url(self) -> str:
        return self.chain.rpc_url


# Voting stays open for the whole generated history.
LOAD_PARAMS = GovernanceParams(voting_delay_s=1, voting_period_s=90 * 86_400)


def start_generated_chain(
    artifacts: dict[str, Artifact],
    directory: Path,
    *,
    target_logs: int,
    seed: int = 7,
    txs_per_block: int = 40,
) -> GeneratedChain:
    chain = start_chain(directory)
    try:
        deployment = deploy(chain, artifacts, LOAD_PARAMS)
        manifest_path = directory / "deployment.json"
        write_manifest(deployment, manifest_path)
        report = generate_load(
            chain.rpc_url,
            deployment,
            target_logs=target_logs,
            accounts=60,
            proposals=8,
            seed=seed,
            treasury_share=0.03,
            txs_per_block=txs_per_block,
        )
    except BaseException:
        chain.stop()
        raise
    return GeneratedChain(chain, deployment, manifest_path, report)


@pytest.fixture(scope="session")
def generated_chain(
    compiled_artifacts: dict[str, Artifact], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GeneratedChain]:
    """~12,000 logs of generated activity; tests must not add blocks to it."""
    generated = start_generated_chain(
        compiled_artifacts, tmp_path_factory.mktemp("generated"), target_logs=12_000
    )
    yield generated
    generated.chain.stop()
