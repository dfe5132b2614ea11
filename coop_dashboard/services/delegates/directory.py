"""The delegate directory as a live view: one page of display-ready cards per key.

Input from a tab is checked here (any client can call any handler with any
arguments): the sort must be known, the topic at most 32 bytes, the search at
most 200 characters, the page within bounds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from coop_dashboard.config import load_settings
from coop_dashboard.db import delegate_queries as dq
from coop_dashboard.db.delegate_history import NOTHING_TO_VOTE_ON
from coop_dashboard.db.engine import get_engine
from coop_dashboard.services.delegates.statement import (
    classify_uri,
    load_statement,
    statement_name,
)
from coop_dashboard.services.display import format_decimal, short_address
from coop_dashboard.services.governance.units import exact_units
from coop_dashboard.services.live_data import LiveView

PAGE_SIZE = 20
MAX_SEARCH_CHARS = 200
MAX_TOPIC_BYTES = 32
SORT_LABELS = {
    "random": "Shuffled by power",
    "power": "Voting power",
    "delegators": "Delegators",
    "participation": "Participation",
    "change": "7-day change",
    "latest_vote": "Latest vote",
}


@dataclass(frozen=True)
class DirectoryKey:
    """What a tab's controls select (hashable: the live hub's key)."""

    search: str = ""
    topic: str = ""
    seeking_only: bool = False
    with_statement: bool = False
    my_delegate: str | None = None  # the member's current delegate, when filtering on it
    only_mine: bool = False
    sort: str = "random"
    seed: int = 0
    page: int = 1


def clean_key(key: DirectoryKey) -> DirectoryKey:
    """The key with every field made valid (bad input becomes the default)."""
    topic = key.topic.strip().lower() if isinstance(key.topic, str) else ""
    if len(topic.encode()) > MAX_TOPIC_BYTES:
        topic = ""
    return DirectoryKey(
        search=key.search.strip()[:MAX_SEARCH_CHARS] if isinstance(key.search, str) else "",
        topic=topic,
        seeking_only=key.seeking_only is True,
        with_statement=key.with_statement is True,
        my_delegate=key.my_delegate,
        only_mine=key.only_mine is True,
        sort=key.sort if key.sort in SORT_LABELS else "random",
        seed=key.seed if isinstance(key.seed, int) else 0,
        page=max(1, min(key.page, 10_000)) if isinstance(key.page, int) else 1,
    )


@dataclass(frozen=True)
class DelegateRow:
    """One directory card as the page shows it (strings for exact uint256 values)."""

    address: str = ""
    short: str = ""
    name: str = ""
    power: str = ""
    power_exact: str = ""
    share: str = ""
    delegators: int = 0
    participation: str = ""
    last_vote: str = ""
    change: str = ""
    change_sign: int = 0
    topics: list[str] = field(default_factory=list)
    seeking: bool = False
    has_statement: bool = False
    href: str = ""


@dataclass(frozen=True)
class DirectoryResult:
    rows: list[DelegateRow] = field(default_factory=list)
    total: int = 0
    page_count: int = 1
    topics: list[str] = field(default_factory=list)


TOKEN_DECIMALS = 18


def token_text(amount: int) -> str:
    """`1234.5 COOP` style, cut to two decimals (the exact value travels beside it)."""
    return f"{format_decimal(exact_units(amount, TOKEN_DECIMALS), 2)} COOP"


def participation_text(card: dq.DelegateCard) -> str:
    if card.participation_bp == NOTHING_TO_VOTE_ON:
        return "—"
    return f"{card.participation_bp / 100:.0f}% ({card.votes_cast}/{card.eligible_proposals})"


def delegate_row(card: dq.DelegateCard) -> DelegateRow:
    change = card.power_change_7d
    return DelegateRow(
        address=card.address,
        short=short_address(card.address),
        name=card.name,
        power=token_text(card.voting_power),
        power_exact=str(card.voting_power),
        share=f"{card.share_of_supply * 100:.2f}%",
        delegators=card.delegator_count,
        participation=participation_text(card),
        last_vote=_date(card.last_vote_at) if card.last_vote_at else "never",
        change=("+" if change > 0 else "−" if change < 0 else "") + token_text(abs(change)),
        change_sign=(change > 0) - (change < 0),
        topics=card.topics,
        seeking=card.seeking_delegation,
        has_statement=card.has_statement,
        href=f"/delegates/{card.address}",
    )


def empty_row(address: str) -> DelegateRow:
    """An address with no power and no statement, shown with zeros rather than blanks."""
    return DelegateRow(
        address=address,
        short=short_address(address),
        power=token_text(0),
        power_exact="0",
        share="0.00%",
        participation="—",
        last_vote="never",
        change=token_text(0),
        href=f"/delegates/{address}",
    )


def _date(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")


def read_directory(key: DirectoryKey) -> DirectoryResult:
    settings = load_settings()
    engine = get_engine(settings.database_url)
    fill_document_names(engine, settings.content_dir)
    key = clean_key(key)
    only: tuple[str, ...] | None = None
    if key.only_mine:
        only = (key.my_delegate,) if key.my_delegate else ()
    page = dq.directory_page(
        engine,
        dq.DirectoryQuery(
            search=key.search,
            topic=key.topic,
            seeking_only=key.seeking_only,
            with_statement=key.with_statement,
            only=only,
            sort=key.sort,
            seed=key.seed,
            offset=(key.page - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
        ),
    )
    topics = [topic for topic, _ in dq.directory_topics(engine)[:30]]
    return DirectoryResult(
        rows=[delegate_row(card) for card in page.cards],
        total=page.total,
        page_count=max(1, -(-page.total // PAGE_SIZE)),
        topics=topics,
    )


def fill_document_names(engine: Engine, content_dir: Path, limit: int = 20) -> None:
    """Read the names of statements in the local store not read yet (verified ones only).

    https documents are read when their profile is opened, not here: a slow host
    must not hold up the directory.
    """
    for uri, digest in dq.documents_missing(engine, limit):
        if classify_uri(uri).kind != "ipfs":
            continue
        check = load_statement(uri, digest, content_dir)
        if check.status == "verified":
            dq.save_document_facts(engine, dq.DocumentFacts(digest, statement_name(check.text)))


DIRECTORY = LiveView("delegate_directory", read=read_directory)
