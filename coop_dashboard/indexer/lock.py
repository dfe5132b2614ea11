"""One indexer per database: a PostgreSQL advisory lock, or a file lock next to SQLite.

Both are released by the operating system / the server when the holder dies
(SIGKILL included), so a crashed indexer never blocks its successor. The
checkpoint's compare-and-set (store.py) is the second line of defence.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, Engine, text

from coop_dashboard.errors import IndexerError


class IndexerLockHeldError(IndexerError):
    """Another indexer already runs against this database."""


class IndexerLock:
    """Held from `acquire()` to `release()`; `acquire` never waits."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._file: IO[bytes] | None = None
        self._connection: Connection | None = None
        self._lock_key: int | None = None

    @property
    def held(self) -> bool:
        return self._file is not None or self._connection is not None

    def acquire(self) -> None:
        """Take the lock, or raise IndexerLockHeldError."""
        if self.held:
            return
        dialect = self.engine.dialect.name
        if dialect == "postgresql":
            self._acquire_postgres()
        elif dialect == "sqlite":
            self._acquire_file()
        else:
            raise IndexerError(f"The indexer supports SQLite and PostgreSQL, not {dialect}.")

    def try_acquire(self) -> bool:
        try:
            self.acquire()
        except IndexerLockHeldError:
            return False
        return True

    def _acquire_file(self) -> None:
        database = self.engine.url.database
        if not database or database == ":memory:":
            return  # a private in-memory database cannot be shared anyway
        path = Path(f"{database}.indexer.lock")
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("a+b")
        try:
            # flock (not fcntl): locks belong to the open file, so two indexers
            # in one process exclude each other too.
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.close()
            raise IndexerLockHeldError(
                f"Another indexer holds {path}: only one may write {database}."
            ) from exc
        handle.truncate(0)
        handle.write(f"{os.getpid()}\n".encode())
        handle.flush()
        self._file = handle

    def _acquire_postgres(self) -> None:
        connection = self.engine.connect()
        try:
            # Keyed by database and schema: test runs in separate schemas of one
            # database do not exclude each other.
            where = connection.execute(text("SELECT current_database(), current_schema()")).one()
            digest = hashlib.sha256(f"coop-indexer:{where[0]}:{where[1]}".encode()).digest()
            key = int.from_bytes(digest[:8], "big", signed=True)
            got = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key})
            locked = bool(got.scalar())
            connection.commit()
        except BaseException:
            connection.close()
            raise
        if not locked:
            connection.close()
            raise IndexerLockHeldError(
                f"Another indexer holds the advisory lock of {where[0]}.{where[1]}."
            )
        self._connection = connection
        self._lock_key = key

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        if self._connection is not None:
            try:
                self._connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": self._lock_key}
                )
                self._connection.commit()
            finally:
                # Closing would only return it to the pool, with the lock still held
                # if the unlock failed: invalidate so the session really ends.
                self._connection.invalidate()
                self._connection.close()
                self._connection = None

    def __enter__(self) -> IndexerLock:
        self.acquire()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()
