"""The card service: reads the cards of newly indexed datasets and saves their facts.

The indexer records a dataset's card CID; the catalog searches and filters by
the card's name, description and license, which only the card holds. This
reads each unread card from the content store (verified against its CID) and
saves those facts (db/dataset_cards.save_card_facts). A card that is not in
this store stays unread (it may arrive later); one that is not a card at all
(not JSON, corrupt) is saved with empty facts so it is not read again.
`fill_missing_card_facts` blocks (a worker thread); `dataset_housekeeping` is
the app's lifespan task that runs it, and the collection of abandoned uploads.
"""

from __future__ import annotations

import asyncio
import logging

from coop_dashboard.config import Settings, load_settings
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.db.dataset_cards import save_card_facts, unread_card_cids
from coop_dashboard.db.engine import get_engine
from coop_dashboard.errors import ContentError
from coop_dashboard.services.datasets.cards import read_card
from coop_dashboard.services.datasets.register import collect_rejected_uploads

logger = logging.getLogger(__name__)

MAX_CARDS_PER_RUN = 200
HOUSEKEEPING_INTERVAL_S = 3.0
COLLECT_EVERY = 1_200  # rounds: about an hour


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
    interval_s: float = HOUSEKEEPING_INTERVAL_S, collect_every: int = COLLECT_EVERY
) -> None:
    """The app's lifespan task: read new datasets' cards every few seconds, and now and
    then delete uploads no registration used (services/datasets/register.py). A
    failing round is logged and retried; it never stops the app."""
    rounds = 0
    last_failure = ""
    while True:
        settings = load_settings()
        try:
            await asyncio.to_thread(fill_missing_card_facts, settings)
            if rounds % collect_every == 0:
                removed = await asyncio.to_thread(collect_rejected_uploads, settings)
                if removed:
                    logger.info("removed %d abandoned dataset uploads", len(removed))
            last_failure = ""
        except Exception as error:
            # Logged once per distinct failure (a database not migrated yet would
            # otherwise fill the log every few seconds until the indexer migrates it).
            if str(error) != last_failure:
                logger.exception("dataset housekeeping failed; retrying")
                last_failure = str(error)
        rounds += 1
        await asyncio.sleep(interval_s)
