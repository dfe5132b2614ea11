"""Read queries of the dataset pages, over the dataset tables. One function per question.

Every function takes an Engine and returns frozen dataclasses; addresses are
lowercase in and out. The catalog reads `dataset_state` (one row per dataset,
indexed for each filter and sort) joined with `dataset_card` (the card's name,
description and license, when the card service has read it), so a page of the
catalog is one bounded query plus one count, whatever the number of datasets.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, and_, desc, func, or_, select, true
from sqlalchemy.engine import Connection

from coop_dashboard.db.chain_tables import table_of
from coop_dashboard.db.dataset_tables import (
    DatasetCard,
    DatasetCurator,
    DatasetCurrentAttestation,
    DatasetLineage,
    DatasetParent,
    DatasetRecord,
    DatasetState,
    DatasetStatusEvent,
    DatasetTag,
)
from coop_dashboard.db.list_query_checks import (
    check_choices,
    check_paging,
)

SORTS = ("newest", "quality", "most_used")
STATUSES = ("active", "superseded", "licensing_paused", "delisted")
MAX_TAG_FILTERS = 8
# Lineage walks stop here (the graph is drawn in a browser).
MAX_LINEAGE_DEPTH = 16
MAX_LINEAGE_NODES = 400
MAX_VERSIONS = 64
_IN_CHUNK = 500

_states = table_of(DatasetState)
_cards = table_of(DatasetCard)
_tags = table_of(DatasetTag)
_parents = table_of(DatasetParent)
_records = table_of(DatasetRecord)
_lineage = table_of(DatasetLineage)
_events = table_of(DatasetStatusEvent)
_current = table_of(DatasetCurrentAttestation)
_curators = table_of(DatasetCurator)


class CatalogQueryError(ValueError):
    """A catalog query asks for something that does not exist (the message says what)."""


@dataclass(frozen=True)
class CatalogQuery:
    """What the catalog shows: filters (all must hold), a sort, a page."""

    search: str = ""
    modality: str | None = None
    tags: tuple[str, ...] = ()  # every tag must be present
    statuses: tuple[str, ...] = ()  # any of these (empty: all)
    curator_verified: bool | None = None
    license: str | None = None
    sort: str = "newest"
    page: int = 1
    page_size: int = 24

    def checked(self) -> CatalogQuery:
        """This query, or CatalogQueryError naming what is wrong (clients send anything)."""
        check_choices(
            sort=self.sort,
            sorts=SORTS,
            statuses=self.statuses,
            known_statuses=STATUSES,
            search=self.search,
            error=CatalogQueryError,
        )
        if len(self.tags) > MAX_TAG_FILTERS:
            raise CatalogQueryError(f"Filter by at most {MAX_TAG_FILTERS} tags.")
        check_paging(page=self.page, page_size=self.page_size, error=CatalogQueryError)
        return self


@dataclass(frozen=True)
class DatasetSummary:
    """One card of the catalog."""

    dataset_id: int
    name: str | None  # from the card, once read
    description: str | None
    license: str | None
    modality: str
    tags: list[str]
    status: str
    owner: str
    transformation: str
    parent_count: int
    use_count: int
    attestation_count: int
    quality: float | None  # mean curator score 0..100
    curator_verified: bool
    bond: int
    registered_at: int
    card_cid: str
    data_cid: str


@dataclass(frozen=True)
class CatalogPage:
    rows: list[DatasetSummary]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass(frozen=True)
class StatusChange:
    """One entry of a dataset's history (see DatasetStatusEvent's kinds)."""

    kind: str
    actor: str | None
    by_governance: bool | None
    related_id: int | None
    reason_cid: str | None
    amount: int | None
    tx_hash: str
    block_number: int
    block_timestamp: int


@dataclass(frozen=True)
class DatasetFacts:
    """The on-chain facts shown beside a dataset's card."""

    summary: DatasetSummary
    contributor: str
    content_digest: str
    bond_unlocks_at: int
    paused_by_governance: bool
    delisted_reason_cid: str | None
    supersedes: int | None
    superseded_by: int | None
    transformation_note_cid: str
    parents: list[int]
    registered_block: int
    registered_tx: str
    history: list[StatusChange] = field(default_factory=list)


@dataclass(frozen=True)
class AttestationRow:
    curator: str
    score: int
    note_cid: str
    first_attested_at: int
    attested_at: int
    revision: int
    curator_now: bool  # still holds the curator role


@dataclass(frozen=True)
class VersionRow:
    dataset_id: int
    status: str
    registered_at: int
    name: str | None


@dataclass(frozen=True)
class LineageNode:
    dataset_id: int
    name: str | None
    status: str
    modality: str
    transformation: str
    depth: int  # < 0 ancestors, 0 the dataset itself, > 0 descendants


@dataclass(frozen=True)
class LineageEdge:
    parent_id: int
    child_id: int
    transformation: str


@dataclass(frozen=True)
class LineageGraph:
    nodes: list[LineageNode]
    edges: list[LineageEdge]
    truncated: bool  # a depth or size limit cut the walk


@dataclass(frozen=True)
class Facets:
    """Values the catalog's filters offer, with how many datasets carry each."""

    modalities: list[tuple[str, int]]
    tags: list[tuple[str, int]]
    licenses: list[tuple[str, int]]


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filters(query: CatalogQuery, tags: Sequence[str]) -> list[Any]:
    """Conditions on dataset_state; `tags` are the tag filters left to express here."""
    conditions: list[Any] = []
    if query.modality:
        conditions.append(_states.c.modality == query.modality)
    for tag in tags:
        conditions.append(
            _states.c.dataset_id.in_(select(_tags.c.dataset_id).where(_tags.c.tag == tag))
        )
    if query.statuses:
        conditions.append(_states.c.status.in_(list(query.statuses)))
    if query.curator_verified is not None:
        # Verified <=> rated (quality >= 0): the quality index serves the filter too.
        rated = _states.c.quality >= 0
        conditions.append(rated if query.curator_verified else ~rated)
    if query.license:
        conditions.append(_states.c.license == query.license)
    words = query.search.split()
    for word in words:
        pattern = _like(word)
        conditions.append(
            or_(
                _states.c.search_text.like(pattern, escape="\\"),
                _states.c.card_text.like(pattern, escape="\\"),
                _states.c.dataset_id == (int(word.lstrip("#")) if _is_id(word) else -1),
            )
        )
    return conditions


def _is_id(word: str) -> bool:
    digits = word.lstrip("#")
    return digits.isascii() and digits.isdigit() and len(digits) <= 18


_ORDER: dict[str, tuple[Any, ...]] = {
    "newest": (desc(_states.c.dataset_id),),
    "quality": (desc(_states.c.quality), desc(_states.c.dataset_id)),  # unrated: -1, last
    "most_used": (desc(_states.c.use_count), desc(_states.c.dataset_id)),
}


def _summary(row: Any, description: str | None) -> DatasetSummary:
    return DatasetSummary(
        dataset_id=int(row.dataset_id),
        name=row.name,
        description=description,
        license=row.license,
        modality=row.modality,
        tags=list(json.loads(row.tags)),
        status=row.status,
        owner=row.owner,
        transformation=row.transformation,
        parent_count=int(row.parent_count),
        use_count=int(row.use_count),
        attestation_count=int(row.attestation_count),
        quality=None if int(row.quality) < 0 else int(row.quality) / 100,
        curator_verified=bool(row.curator_verified),
        bond=int(row.bond),
        registered_at=int(row.registered_at),
        card_cid=row.card_cid,
        data_cid=row.data_cid,
    )


def _descriptions(connection: Connection, card_cids: Sequence[str]) -> dict[str, str]:
    statement = select(_cards.c.card_cid, _cards.c.description).where(
        _cards.c.card_cid.in_(list(card_cids))
    )
    return {str(cid): str(text) for cid, text in connection.execute(statement)}


def dataset_catalog(engine: Engine, query: CatalogQuery) -> CatalogPage:
    """One page of the catalog. CatalogQueryError for a query that makes no sense.

    Filtered, sorted and sliced in dataset_state alone (joining the cards first
    would join every match before the sort); the page's descriptions follow.
    """
    query = query.checked()
    tags = list(dict.fromkeys(query.tags))
    statement = (
        select(_states)
        .where(and_(true(), *_filters(query, tags)))
        .order_by(*_ORDER[query.sort])
        .limit(query.page_size)
        .offset((query.page - 1) * query.page_size)
    )
    # The count walks the first tag's index entries instead of every dataset.
    counted: Any = _states
    if tags:
        first = select(_tags.c.dataset_id).where(_tags.c.tag == tags[0]).subquery()
        counted = _states.join(first, first.c.dataset_id == _states.c.dataset_id)
    count = (
        select(func.count()).select_from(counted).where(and_(true(), *_filters(query, tags[1:])))
    )
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
        descriptions = _descriptions(connection, [row.card_cid for row in rows])
        total = int(connection.execute(count).scalar_one())
    summaries = [_summary(row, descriptions.get(row.card_cid)) for row in rows]
    return CatalogPage(summaries, total, query.page, query.page_size)


def catalog_facets(engine: Engine, *, top_tags: int = 50) -> Facets:
    """Modalities, the most used tags and the licenses, with their dataset counts."""
    with engine.connect() as connection:
        modalities = connection.execute(
            select(_states.c.modality, func.count())
            .group_by(_states.c.modality)
            .order_by(desc(func.count()), _states.c.modality)
        ).all()
        tags = connection.execute(
            select(_tags.c.tag, func.count(func.distinct(_tags.c.dataset_id)))
            .group_by(_tags.c.tag)
            .order_by(desc(func.count(func.distinct(_tags.c.dataset_id))), _tags.c.tag)
            .limit(top_tags)
        ).all()
        licenses = connection.execute(
            select(_states.c.license, func.count())
            .where(_states.c.license.is_not(None))
            .group_by(_states.c.license)
            .order_by(desc(func.count()), _states.c.license)
        ).all()
    return Facets(
        [(str(m), int(n)) for m, n in modalities],
        [(str(t), int(n)) for t, n in tags],
        [(str(lic), int(n)) for lic, n in licenses],
    )


def get_dataset(engine: Engine, dataset_id: int) -> DatasetFacts | None:
    """Everything the dataset page shows beside the card, or None if not indexed."""
    with engine.connect() as connection:
        row = connection.execute(select(_states).where(_states.c.dataset_id == dataset_id)).first()
        if row is None:
            return None
        description = _descriptions(connection, [row.card_cid]).get(row.card_cid)
        record = connection.execute(
            select(_records.c.tx_hash).where(_records.c.dataset_id == dataset_id)
        ).first()
        lineage = connection.execute(
            select(_lineage.c.note_cid).where(_lineage.c.dataset_id == dataset_id)
        ).first()
        parents = [
            int(parent)
            for (parent,) in connection.execute(
                select(_parents.c.parent_id)
                .where(_parents.c.child_id == dataset_id)
                .order_by(_parents.c.parent_id)
            )
        ]
        history = [
            StatusChange(
                kind=event.kind,
                actor=event.actor,
                by_governance=event.by_governance,
                related_id=event.related_id,
                reason_cid=event.reason_cid,
                amount=None if event.amount is None else int(event.amount),
                tx_hash=event.tx_hash,
                block_number=int(event.block_number),
                block_timestamp=int(event.block_timestamp),
            )
            for event in connection.execute(
                select(_events)
                .where(_events.c.dataset_id == dataset_id)
                .order_by(_events.c.block_number, _events.c.log_index)
            )
        ]
    return DatasetFacts(
        summary=_summary(row, description),
        contributor=row.contributor,
        content_digest=row.content_digest,
        bond_unlocks_at=int(row.bond_unlocks_at),
        paused_by_governance=bool(row.paused_by_governance),
        delisted_reason_cid=row.delisted_reason_cid,
        supersedes=row.supersedes,
        superseded_by=row.superseded_by,
        transformation_note_cid=lineage.note_cid if lineage is not None else "",
        parents=parents,
        registered_block=int(row.registered_block),
        registered_tx=record.tx_hash if record is not None else "",
        history=history,
    )


def dataset_attestations(engine: Engine, dataset_id: int) -> list[AttestationRow]:
    """Current attestations of a dataset, oldest first."""
    statement = (
        select(_current, _curators.c.account.is_not(None).label("curator_now"))
        .select_from(_current.outerjoin(_curators, _curators.c.account == _current.c.curator))
        .where(_current.c.dataset_id == dataset_id)
        .order_by(_current.c.first_attested_at, _current.c.curator)
    )
    with engine.connect() as connection:
        return [
            AttestationRow(
                curator=row.curator,
                score=int(row.score),
                note_cid=row.note_cid,
                first_attested_at=int(row.first_attested_at),
                attested_at=int(row.attested_at),
                revision=int(row.revision),
                curator_now=bool(row.curator_now),
            )
            for row in connection.execute(statement)
        ]


def current_curators(engine: Engine) -> list[str]:
    """Accounts holding the curator role now."""
    with engine.connect() as connection:
        return [
            str(a) for (a,) in connection.execute(select(_curators.c.account).order_by("account"))
        ]


def is_curator(engine: Engine, account: str) -> bool:
    with engine.connect() as connection:
        found = connection.execute(
            select(_curators.c.account).where(_curators.c.account == account.lower())
        ).first()
    return found is not None


def has_attested(engine: Engine, dataset_id: int, curator: str) -> bool:
    """Whether `curator` has a current attestation of the dataset (then only an update fits)."""
    with engine.connect() as connection:
        found = connection.execute(
            select(_current.c.curator).where(
                _current.c.dataset_id == dataset_id, _current.c.curator == curator.lower()
            )
        ).first()
    return found is not None


def dataset_versions(engine: Engine, dataset_id: int) -> list[VersionRow]:
    """The version chain a dataset belongs to (supersedes links), oldest first."""
    with engine.connect() as connection:
        row = _version_row(connection, dataset_id)
        if row is None:
            return []
        chain = [row]
        older, newer = row.supersedes, row.superseded_by
        while older is not None and len(chain) < MAX_VERSIONS:
            found = _version_row(connection, int(older))
            if found is None:
                break
            chain.insert(0, found)
            older = found.supersedes
        while newer is not None and len(chain) < MAX_VERSIONS:
            found = _version_row(connection, int(newer))
            if found is None:
                break
            chain.append(found)
            newer = found.superseded_by
    return [VersionRow(int(r.dataset_id), r.status, int(r.registered_at), r.name) for r in chain]


def _version_row(connection: Connection, dataset_id: int) -> Any:
    return connection.execute(
        select(
            _states.c.dataset_id,
            _states.c.status,
            _states.c.registered_at,
            _states.c.supersedes,
            _states.c.superseded_by,
            _states.c.name,
        ).where(_states.c.dataset_id == dataset_id)
    ).first()


def dataset_lineage(
    engine: Engine,
    dataset_id: int,
    *,
    max_depth: int = MAX_LINEAGE_DEPTH,
    max_nodes: int = MAX_LINEAGE_NODES,
) -> LineageGraph:
    """Ancestors and descendants of a dataset with the transformation on each edge."""
    depth_of: dict[int, int] = {dataset_id: 0}
    edges: dict[tuple[int, int], str] = {}
    truncated = False
    with engine.connect() as connection:
        for direction in (-1, 1):
            frontier = [dataset_id]
            for level in range(1, max_depth + 1):
                if not frontier:
                    break
                found = _edges(connection, frontier, upward=direction < 0)
                frontier = []
                for parent, child, transformation in found:
                    edges[(parent, child)] = transformation
                    neighbour = parent if direction < 0 else child
                    if neighbour not in depth_of:
                        if len(depth_of) >= max_nodes:
                            truncated = True
                            continue
                        depth_of[neighbour] = direction * level
                        frontier.append(neighbour)
            else:
                truncated = truncated or bool(frontier)
        nodes = _lineage_nodes(connection, depth_of)
    known = {node.dataset_id for node in nodes}
    return LineageGraph(
        nodes,
        [
            LineageEdge(parent, child, transformation)
            for (parent, child), transformation in sorted(edges.items())
            if parent in known and child in known
        ],
        truncated,
    )


def _edges(
    connection: Connection, frontier: Sequence[int], *, upward: bool
) -> list[tuple[int, int, str]]:
    key = _parents.c.child_id if upward else _parents.c.parent_id
    found: list[tuple[int, int, str]] = []
    for start in range(0, len(frontier), _IN_CHUNK):
        chunk = list(frontier[start : start + _IN_CHUNK])
        statement = select(
            _parents.c.parent_id, _parents.c.child_id, _parents.c.transformation
        ).where(key.in_(chunk))
        found.extend((int(p), int(c), str(t)) for p, c, t in connection.execute(statement))
    return found


def _lineage_nodes(connection: Connection, depth_of: dict[int, int]) -> list[LineageNode]:
    ids = sorted(depth_of)
    nodes: list[LineageNode] = []
    for start in range(0, len(ids), _IN_CHUNK):
        chunk = ids[start : start + _IN_CHUNK]
        statement = select(
            _states.c.dataset_id,
            _states.c.status,
            _states.c.modality,
            _states.c.transformation,
            _states.c.name,
        ).where(_states.c.dataset_id.in_(chunk))
        for row in connection.execute(statement):
            node_id = int(row.dataset_id)
            nodes.append(
                LineageNode(
                    node_id,
                    row.name,
                    row.status,
                    row.modality,
                    row.transformation,
                    depth_of[node_id],
                )
            )
    return sorted(nodes, key=lambda node: (node.depth, node.dataset_id))


def dataset_contributors(engine: Engine, dataset_ids: Sequence[int]) -> dict[int, str]:
    """Who registered each of `dataset_ids` (lowercase address); unknown ids are left out."""
    ids = sorted(set(dataset_ids))
    found: dict[int, str] = {}
    with engine.connect() as connection:
        for start in range(0, len(ids), _IN_CHUNK):
            statement = select(_states.c.dataset_id, _states.c.contributor).where(
                _states.c.dataset_id.in_(ids[start : start + _IN_CHUNK])
            )
            found.update((int(i), str(a)) for i, a in connection.execute(statement))
    return found
