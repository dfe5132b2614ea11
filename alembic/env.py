"""Plain `alembic` CLI entry (Reflex's `reflex db` and `coop` run migrations in-process
without this file). The database is the app's DATABASE_URL; the target is the
metadata of every table the app declares."""

from sqlalchemy import engine_from_config, pool
from sqlmodel import SQLModel

import coop_dashboard.db.models  # noqa: F401  (registers the tables)
from alembic import context
from coop_dashboard.config import load_settings

config = context.config
config.set_main_option("sqlalchemy.url", load_settings().database_url)
target_metadata = SQLModel.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with connectable.connect() as connection:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
