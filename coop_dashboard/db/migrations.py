"""Bring a database's schema to the newest alembic migration (alembic/ in the project).

Migrations are written with `reflex db makemigrations`; `coop up`, `coop serve`,
`coop index` and the indexer (in the app or not) apply them before anything
reads or writes: no runtime path creates tables from the models directly.

A database with the app's tables but no migration history (made by
`create_all`, e.g. by a test fixture or an older version of the app) is
stamped only with the revision whose schema it matches exactly, then upgraded
from there. A schema no revision matches is refused with the differences:
stamping it would declare columns present that are not, and every later
migration and query would fail in ways much harder to understand.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import MetaData, create_engine, inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool
from sqlmodel import SQLModel

from coop_dashboard.config import PROJECT_ROOT
from coop_dashboard.db.engine import get_engine
from coop_dashboard.errors import ConfigError

ALEMBIC_DIR = PROJECT_ROOT / "alembic"
VERSION_TABLE = "alembic_version"
# Differences named in the refusal (the rest are counted).
_SHOWN_DIFFERENCES = 5
# Several processes (app workers, the indexer) may upgrade one PostgreSQL database
# at once: they take turns on this transaction-scoped advisory lock.
_PG_MIGRATION_LOCK = 0x636F6F706D6967  # "coopmig"
_local_lock = threading.Lock()


class UnrecognisedSchemaError(ConfigError):
    """The database's schema is not one this version of the code can migrate."""


def _script_directory() -> tuple[Config, ScriptDirectory]:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    return config, ScriptDirectory.from_config(config)


def _run(connection: Connection, fn: Any) -> None:
    config, scripts = _script_directory()
    with EnvironmentContext(config, scripts, fn=fn) as environment:
        environment.configure(connection=connection, render_as_batch=True)
        environment.run_migrations()


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return _script_directory()[1].get_current_head()


def upgrade_database(database_url: str, revision: str = "head") -> str | None:
    """Apply every migration up to `revision` not yet applied; returns the revision now current.

    A `revision` short of head is for tests of a migration's data step (a
    database at the previous revision, filled, then upgraded).
    """
    return upgrade_engine(get_engine(database_url), revision)


def upgrade_engine(engine: Engine, revision: str = "head") -> str | None:
    """`upgrade_database` for an engine; UnrecognisedSchemaError for a schema it cannot place."""
    import coop_dashboard.db.models  # noqa: F401  (the tables the migrations must match)

    _, scripts = _script_directory()
    with _local_lock, engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})"))
        current = current_revision(connection)
        if current is None and _has_app_tables(connection):
            current = recognised_revision(connection, scripts)
            stamped = current
            _run(connection, lambda rev, ctx: scripts._stamp_revs(stamped, rev))
        try:
            _run(connection, lambda rev, ctx: scripts._upgrade_revs(revision, rev))
        except CommandError as error:
            raise UnrecognisedSchemaError(
                f"The database's schema is at migration {current}, which this version of "
                f"the app does not know (was it migrated by a newer version?): {error}"
            ) from error
        return current_revision(connection)


def _has_app_tables(connection: Connection) -> bool:
    return bool(set(inspect(connection).get_table_names()) & set(SQLModel.metadata.tables))


def schema_differences(connection: Connection, metadata: MetaData) -> list[Any]:
    """What tells the database's tables from `metadata`'s (tables of neither ignored)."""
    known = set(metadata.tables)

    def include_name(name: str | None, type_: str, _parents: Any) -> bool:
        return type_ != "table" or name in known

    context = MigrationContext.configure(
        connection, opts={"compare_type": False, "include_name": include_name}
    )
    return list(compare_metadata(context, metadata))


def recognised_revision(connection: Connection, scripts: ScriptDirectory) -> str:
    """The newest revision whose schema the database has exactly (tables from create_all)."""
    head = scripts.get_current_head()
    against_head = schema_differences(connection, SQLModel.metadata)
    if not against_head and head is not None:
        return head
    older = [str(s.revision) for s in scripts.walk_revisions() if s.revision != head]
    matched = [
        revision
        for revision, schema in _schemas_at(reversed(older))
        if not schema_differences(connection, schema)
    ]
    if matched:
        return matched[-1]
    raise UnrecognisedSchemaError(
        "The database has the app's tables but no migration history, and its schema "
        "matches no migration of this version of the app, so it cannot be upgraded "
        f"safely. Differences from the current schema: {_describe(against_head)}. "
        "Point DATABASE_URL at a new database (the indexer rebuilds its tables from "
        "the chain), or migrate this one by hand."
    )


def _schemas_at(revisions: Iterable[str]) -> Iterator[tuple[str, MetaData]]:
    """The tables as the migrations create them at each of `revisions` (oldest first),
    built step by step in one in-memory database."""
    scratch = create_engine("sqlite://", poolclass=StaticPool)
    _, scripts = _script_directory()
    try:
        with scratch.begin() as connection:
            for revision in revisions:
                _run(connection, lambda rev, ctx, to=revision: scripts._upgrade_revs(to, rev))
                metadata = MetaData()
                metadata.reflect(connection)
                metadata.remove(metadata.tables[VERSION_TABLE])
                yield revision, metadata
    finally:
        scratch.dispose()


def _describe(differences: Iterable[Any]) -> str:
    listed = list(differences)
    words = [_difference_text(item) for item in listed[:_SHOWN_DIFFERENCES]]
    if len(listed) > _SHOWN_DIFFERENCES:
        words.append(f"and {len(listed) - _SHOWN_DIFFERENCES} more")
    return "; ".join(words) or "none"


_DIFFERENCE_WORDS: dict[str, Callable[[tuple[Any, ...]], str]] = {
    "add_table": lambda d: f"table {d[1].name} is missing",
    "remove_table": lambda d: f"table {d[1].name} is not expected",
    "add_column": lambda d: f"column {d[2]}.{d[3].name} is missing",
    "remove_column": lambda d: f"column {d[2]}.{d[3].name} is not expected",
    "add_index": lambda d: f"index {d[1].name} is missing",
    "remove_index": lambda d: f"index {d[1].name} is not expected",
}


def _difference_text(difference: Any) -> str:
    if isinstance(difference, list):  # column modifications come grouped
        difference = difference[0]
    kind = str(difference[0])
    describe = _DIFFERENCE_WORDS.get(kind)
    if describe is None:
        if kind.startswith("modify_"):  # (kind, schema, table, column, ...)
            return f"column {difference[2]}.{difference[3]}: {kind[7:]} differs"
        return kind.replace("_", " ")
    return describe(difference)
