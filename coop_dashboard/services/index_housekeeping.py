"""Lifespan tasks that act on what the indexer wrote (read new cards, new job specs):
one loop that migrates first, then wakes when the live-data hub sees a view's
value change at an indexed head, as pages do; never on a polling timer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from coop_dashboard.config import load_settings
from coop_dashboard.db.engine import get_engine
from coop_dashboard.db.migrations import upgrade_engine
from coop_dashboard.services.live_data import LiveView, Subscription, live_hub

logger = logging.getLogger(__name__)


async def run_on_index_changes(
    view: LiveView[str, Any],
    work: Callable[[], Awaitable[None]],
    *,
    what: str,
    retry_s: float,
) -> None:
    """Run `work` once, then whenever `view` (keyed by the database URL) changes at an
    indexed head, or `retry_s` after the last round (for what the index cannot
    announce, e.g. a file reaching the content store). Until cancelled.

    The database is migrated before the first round: the task may start before
    the indexer has created the tables. A failing round is logged once per
    distinct failure and retried; it never stops the app.
    """
    database_url = load_settings().database_url
    changed = asyncio.Event()
    subscription: Subscription | None = None
    last_failure = ""
    try:
        while True:
            changed.clear()
            try:
                if subscription is None:
                    await asyncio.to_thread(upgrade_engine, get_engine(database_url))
                    subscription = live_hub().subscribe(view, database_url, changed.set)
                await work()
                last_failure = ""
            except Exception as error:
                if str(error) != last_failure:
                    logger.exception("%s failed; retrying", what)
                    last_failure = str(error)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), retry_s)
    finally:
        if subscription is not None:
            subscription.close()
