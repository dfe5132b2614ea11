"""The card service: reads the cards of newly indexed datasets and saves their facts.

The indexer records a dataset's card CID; the catalog searches and filters by
the card's name, description and license, which only the card holds. This
reads each unread card from the content store (verified against its CID) and
saves those facts (db/dataset_cards.save_card_facts). A card that is not in
this store stays unread (it may arrive later); one that is not a card at all
(not JSON, corrupt) is saved with empty facts so it is not read again.
`fill_missing_card_facts` blocks (a worker thread); `dataset_housekeeping` is
the app's lifespan task that runs it, and the collection of abandoned uploads.

The task (services/index_housekeeping.py) migrates the database first (the
indexer may not have opened it yet), then wakes when the live-data hub sees the
set of unread cards change at an indexed head, as pages wake on their data: no
polling. A card not in this store yet is looked for again every `RETRY_UNREAD_S`.
"""

from __future__ import annotations

import asyncio
import logging
import time

from coop_dashboard.config import Settings, load_settings
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.db.dataset_cards import save_card_facts, unread_card_cids
from coop_dashboard.db.engine import get_engine
from coop_dashboard.errors import ContentError
from coop_dashboard.services.datasets.cards import read_card
from coop_dashboard.services.datasets.register import collect_rejected_uploads
from coop_dashboard.services.index_housekeeping import run_on_index_changes
from coop_dashboard.services.live_data import LiveView

logger = logging.getLogger(__name__)

MAX_CARDS_PER_RUN = 200
# A card registered before its bytes reached this store is looked for again this often.
RETRY_UNREAD_S = 60.0
COLLECT_EVERY_S = 3_600.0


def _unread_cards(database_url: str) -> tuple[str, ...]:
    return tuple(unread_card_cids(get_engine(database_url), MAX_CARDS_PER_RUN))


# The cards waiting to be read (keyed by database URL), re-read by the hub per head.
UNREAD_CARDS: LiveView[str, tuple[str, ...]] = LiveView("unread_dataset_cards", _unread_cards)


def fill_missing_card_facts(settings: Settings, limit: int = MAX_CARDS_PER_RUN) -> int:
    """Read up to `limit` unread cards; returns how many got facts saved."""
    engine = get_engine(settings.database_url)
    store = LocalContentStore(settings.content_dir)
    saved = 0
    for card_cid in unread_card_cids(engine, limit):
        try:
            if not store.has(card_cid):
                continue
            card = read_card(store, card_cid)
        except ContentError:
            save_card_facts(engine, card_cid, name="", description="", license=None)
        else:
            form = card.form
            save_card_facts(
                engine,
                card_cid,
                name=form.name,
                description=form.description,
                license=form.license or None,
            )
        saved += 1
    return saved


async def dataset_housekeeping(
    retry_s: float = RETRY_UNREAD_S, collect_every_s: float = COLLECT_EVERY_S
) -> None:
    """The app's lifespan task: read new datasets' cards when they are indexed, and
    once an hour delete uploads no registration used (services/datasets/register.py)."""
    settings = load_settings()
    collected_at: float | None = None

    async def one_round() -> None:
        nonlocal collected_at
        await asyncio.to_thread(fill_missing_card_facts, settings)
        now = time.monotonic()
        if collected_at is None or now - collected_at >= collect_every_s:
            collected_at = now
            removed = await asyncio.to_thread(collect_rejected_uploads, settings)
            if removed:
                logger.info("removed %d abandoned dataset uploads", len(removed))

    await run_on_index_changes(
        UNREAD_CARDS, one_round, what="dataset housekeeping", retry_s=retry_s
    )
