"""Fixtures for the sign-in tests: real engines (SQLite file, PostgreSQL when reachable).

PostgreSQL runs each test in a schema of its own, dropped afterwards, so tests
can run in parallel with other suites on the same `test` database.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from coop_dashboard.auth import SiweSite
from coop_dashboard.db.auth_tables import AuthSession, SiweNonce
from coop_dashboard.db.engine import make_engine

POSTGRES_URL = os.environ.get(
    "COOP_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
)
AUTH_TABLES = [SiweNonce.__table__, AuthSession.__table__]  # type: ignore[attr-defined]


@cache
def postgres_unavailable_reason() -> str | None:
    probe = make_engine(POSTGRES_URL)
    try:
        with probe.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure means: skip, with the reason
        return f"PostgreSQL not reachable at {POSTGRES_URL}: {type(exc).__name__}"
    finally:
        probe.dispose()
    return None


def _sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'auth.db'}")
    SQLModel.metadata.create_all(engine, tables=AUTH_TABLES)
    yield engine
    engine.dispose()


def _postgres_engine() -> Iterator[Engine]:
    reason = postgres_unavailable_reason()
    if reason is not None:
        pytest.skip(reason)
    schema = f"auth_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(POSTGRES_URL)

    def use_schema(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f'SET search_path TO "{schema}"')
        cursor.close()
        # Committed so the pool's rollback-on-return does not undo it.
        dbapi_connection.commit()

    event.listen(engine, "connect", use_schema)
    SQLModel.metadata.create_all(engine, tables=AUTH_TABLES)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A real engine with the auth tables, once per backend."""
    if request.param == "sqlite":
        yield from _sqlite_engine(tmp_path)
    else:
        yield from _postgres_engine()


@pytest.fixture
def site() -> SiweSite:
    return SiweSite.for_origin("http://localhost:3000", chain_id=31337)


@pytest.fixture
def account() -> LocalAccount:
    return Account.create()
