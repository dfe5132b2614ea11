"""The card facts the catalog searches (name, description, license), saved by card CID.

Written by whatever reads cards from the content store (the card service); a
card is content-addressed, so its facts are saved once and never go stale.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, delete, select, update

from coop_dashboard.db.bulk_insert import bulk_upsert
from coop_dashboard.db.chain_tables import table_of
from coop_dashboard.db.dataset_tables import (
    DatasetCard,
    DatasetLineage,
    DatasetRecord,
    DatasetState,
)

_cards = table_of(DatasetCard)
_states = table_of(DatasetState)
_records = table_of(DatasetRecord)
_lineage = table_of(DatasetLineage)
_IN_CHUNK = 500
MAX_NAME_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 20_000
MAX_LICENSE_LENGTH = 128


def _clean(text: str, limit: int) -> str:
    # PostgreSQL refuses NUL in text; cards are written by strangers.
    return text.replace("\x00", "\ufffd")[:limit]


def save_card_facts(
    engine: Engine, card_cid: str, *, name: str, description: str, license: str | None
) -> None:
    """Insert or replace the facts of the card at `card_cid`."""
    name = _clean(name, MAX_NAME_LENGTH)
    description = _clean(description, MAX_DESCRIPTION_LENGTH)
    license = _clean(license, MAX_LICENSE_LENGTH) if license else None
    search_text = " ".join([name, description, license or ""]).lower()
    row = {
        "card_cid": card_cid,
        "name": name,
        "description": description,
        "license": license,
        "search_text": search_text,
        "fetched_at": int(time.time()),
    }
    with engine.begin() as connection:
        bulk_upsert(connection, _cards, [row], ["card_cid"])
        connection.execute(
            update(_states)
            .where(_states.c.card_cid == card_cid)
            .values(card_columns(name, license, search_text))
        )


def card_columns(name: str | None, license: str | None, search_text: str | None) -> dict[str, Any]:
    """The dataset_state columns copied from a card's facts."""
    return {"name": name, "license": license, "card_text": search_text}


def cards_missing(engine: Engine, card_cids: list[str]) -> list[str]:
    """Which of `card_cids` have no saved facts yet (the card service reads those)."""
    with engine.connect() as connection:
        known = {
            str(cid)
            for (cid,) in connection.execute(
                select(_cards.c.card_cid).where(_cards.c.card_cid.in_(card_cids))
            )
        }
    return [cid for cid in card_cids if cid not in known]


def cids_in_use(engine: Engine, cids: list[str]) -> set[str]:
    """Which of `cids` a registered dataset names (its data, card or transformation note)."""
    used: set[str] = set()
    with engine.connect() as connection:
        for start in range(0, len(cids), _IN_CHUNK):
            chunk = cids[start : start + _IN_CHUNK]
            for column in (_records.c.data_cid, _records.c.card_cid):
                used.update(
                    str(c) for (c,) in connection.execute(select(column).where(column.in_(chunk)))
                )
            note = _lineage.c.note_cid
            used.update(str(c) for (c,) in connection.execute(select(note).where(note.in_(chunk))))
    return used


def forget_cards(engine: Engine, card_cids: list[str]) -> None:
    """Drop the saved facts of cards no dataset was registered with (rejected uploads)."""
    with engine.begin() as connection:
        for start in range(0, len(card_cids), _IN_CHUNK):
            chunk = card_cids[start : start + _IN_CHUNK]
            connection.execute(delete(_cards).where(_cards.c.card_cid.in_(chunk)))


def unread_card_cids(engine: Engine, limit: int) -> list[str]:
    """Card CIDs of registered datasets with no saved facts yet, newest datasets first."""
    statement = (
        select(_states.c.card_cid)
        .where(~select(_cards.c.card_cid).where(_cards.c.card_cid == _states.c.card_cid).exists())
        .order_by(_states.c.dataset_id.desc())
        .limit(limit)
    )
    with engine.connect() as connection:
        return list(dict.fromkeys(str(cid) for (cid,) in connection.execute(statement)))
