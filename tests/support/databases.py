"""Throwaway databases for tests that run on SQLite and on the machine's PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

POSTGRES_SERVER = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
)


@contextmanager
def postgres_schema_url(prefix: str) -> Iterator[str]:
    """A URL whose connections use a fresh schema, dropped afterwards (skips the test
    when PostgreSQL is not reachable)."""
    try:
        admin = create_engine(POSTGRES_SERVER, connect_args={"connect_timeout": 2})
        schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError:
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
    try:
        yield f"{POSTGRES_SERVER}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def database_url_of(kind: str, tmp_path: Path, prefix: str) -> Iterator[str]:
    """`kind` "sqlite" (a file under tmp_path) or "postgresql" (a fresh schema)."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / f'{prefix}.db'}"
        return
    with postgres_schema_url(prefix) as url:
        yield url
