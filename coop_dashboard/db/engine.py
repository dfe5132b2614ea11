"""The SQL engine: a SQLite file by default (WAL), PostgreSQL when DATABASE_URL says so."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine

_engines: dict[str, Engine] = {}


def _enable_sqlite_wal(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the app read while the indexer writes; NORMAL sync is durable
    # across application crashes (only an OS crash can lose the last commit).
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(database_url: str) -> Engine:
    """A new engine for `database_url`, with the SQLite pragmas the app relies on."""
    if database_url.startswith("sqlite:///"):
        path = database_url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(database_url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _enable_sqlite_wal)
        return engine
    return create_engine(database_url, pool_pre_ping=True)


def get_engine(database_url: str) -> Engine:
    """The process-wide engine for `database_url` (created once, then shared)."""
    engine = _engines.get(database_url)
    if engine is None:
        engine = make_engine(database_url)
        _engines[database_url] = engine
    return engine


def create_tables(engine: Engine) -> None:
    """Create every table the models declare (idempotent)."""
    # Importing the model modules registers their tables on SQLModel.metadata.
    import coop_dashboard.db.models  # noqa: F401

    SQLModel.metadata.create_all(engine)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with Session(engine) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
