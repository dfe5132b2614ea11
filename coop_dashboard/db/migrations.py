"""Bring a database's schema to the newest alembic migration (alembic/ in the project).

Migrations are written with `reflex db makemigrations`; `coop up`, `coop serve`
and `coop index` apply them before anything reads or writes. Tests and the
indexer may also create tables straight from the models (create_all) on a
fresh database: such a database is stamped as current instead of failing on
"table already exists".
"""

from __future__ import annotations

from typing import Any

from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from coop_dashboard.config import PROJECT_ROOT
from coop_dashboard.db.engine import get_engine

ALEMBIC_DIR = PROJECT_ROOT / "alembic"


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
    import coop_dashboard.db.models  # noqa: F401  (the tables the migrations must match)

    engine = get_engine(database_url)
    _, scripts = _script_directory()
    with engine.begin() as connection:
        if current_revision(connection) is None:
            existing = set(inspect(connection).get_table_names())
            if existing & set(SQLModel.metadata.tables):
                # Made by create_all from these same models: mark it current.
                _run(connection, lambda rev, ctx: scripts._stamp_revs("head", rev))
                return current_revision(connection)
        _run(connection, lambda rev, ctx: scripts._upgrade_revs(revision, rev))
        return current_revision(connection)
