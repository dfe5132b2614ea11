"""Tells writes how far the SQL index has read the chain (pages read SQL, not the chain)."""

from __future__ import annotations

from coop_dashboard.config import load_settings
from coop_dashboard.db.engine import get_engine
from coop_dashboard.db.queries import indexed_block_number
from coop_dashboard.services.index_progress import set_indexed_block_reader


def register_sql_index_reader() -> None:
    """After a write is mined, wait for the indexer's checkpoint to pass its block."""
    engine = get_engine(load_settings().database_url)
    set_indexed_block_reader(lambda: indexed_block_number(engine))
