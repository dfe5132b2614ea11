"""The card service: reads the cards of newly indexed datasets and saves their facts.

The indexer records a dataset's card CID; the catalog searches and filters by
the card's name, description and license, which only the card holds. This
reads each unread card from the content store (verified against its CID) and
saves those facts (db/dataset_cards.save_card_facts). A card that is not in
this store stays unread (it may arrive later); one that is not a card at all
(not JSON, corrupt) is saved with empty facts so it is not read again.
Blocking: call from a worker thread.
"""

from __future__ import annotations

from coop_dashboard.config import Settings
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.db.dataset_cards import save_card_facts, unread_card_cids
from coop_dashboard.db.engine import get_engine
from coop_dashboard.errors import ContentError
from coop_dashboard.services.datasets.cards import read_card

MAX_CARDS_PER_RUN = 200


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
