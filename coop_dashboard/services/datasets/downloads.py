"""The public exports of a registered dataset, as HTTP answers (policy for api/datasets.py).

`/api/datasets/<id>/croissant`, `/prov`, `/card.md` and `/car`: the id is
checked, the dataset looked up in the index (404 when unknown), its card read
from the content store and verified against its CID. What the chain records
wins over what the card says: the data CID, the sha-256 (the registered
content digest), the lineage and the contributor come from the index; the
card gives the words, the columns and the row count. Blocking (SQL, files):
call `dataset_export` from a worker thread; a CAR's body is a lazy iterator
Starlette runs in its thread pool, each block verified before it is sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from coop_dashboard.config import Settings
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.db.dataset_queries import (
    DatasetFacts,
    dataset_contributors,
    dataset_lineage,
    get_dataset,
)
from coop_dashboard.db.engine import get_engine
from coop_dashboard.errors import ContentError
from coop_dashboard.services.content_gateway import SAFETY_HEADERS
from coop_dashboard.services.datasets.cards import (
    CROISSANT_MEDIA_TYPE,
    MAX_TRANSFORMATION_NOTE_LENGTH,
    CardContext,
    ReadCard,
    croissant_bytes,
    read_card,
)
from coop_dashboard.services.datasets.exports import (
    MARKDOWN_MEDIA_TYPE,
    PROV_MEDIA_TYPE,
    ProvEdge,
    ProvNode,
    dataset_car,
    hugging_face_card_md,
    prov_json,
)

EXPORT_KINDS = ("croissant", "prov", "card.md", "car")
DATASET_EXPORT_ROUTE = "/api/datasets/{dataset_id}/{kind}"
# Token ids are uint64 on the chain's side (parents are stored as uint64).
_MAX_ID_DIGITS = 19
_MAX_ID = 2**64 - 1
_FILE_SUFFIX = {"croissant": ".jsonld", "prov": ".prov.json", "card.md": ".md"}


@dataclass(frozen=True)
class ExportAnswer:
    status: int
    media_type: str
    body: bytes | Iterator[bytes]
    headers: dict[str, str] = field(default_factory=dict)


def dataset_id_of(text: str) -> int | None:
    """The dataset id in a URL segment, or None when it is not one (1 .. 2**64-1)."""
    if not (text.isascii() and text.isdecimal()) or len(text) > _MAX_ID_DIGITS:
        return None
    value = int(text)
    return value if 1 <= value <= _MAX_ID else None


def _refusal(status: int, message: str) -> ExportAnswer:
    return ExportAnswer(
        status,
        "text/plain; charset=utf-8",
        message.encode(),
        {**SAFETY_HEADERS, "Cache-Control": "no-store"},
    )


def dataset_export(settings: Settings, id_text: str, kind: str) -> ExportAnswer:
    """The answer to `GET /api/datasets/<id_text>/<kind>`."""
    if kind not in EXPORT_KINDS:
        return _refusal(404, f"No export {kind[:40]!r}: use one of {', '.join(EXPORT_KINDS)}.")
    dataset_id = dataset_id_of(id_text)
    if dataset_id is None:
        return _refusal(404, "Not a dataset id.")
    engine = get_engine(settings.database_url)
    facts = get_dataset(engine, dataset_id)
    if facts is None:
        return _refusal(404, f"Dataset #{dataset_id} is not registered (or not indexed yet).")
    store = LocalContentStore(settings.content_dir)
    try:
        if kind == "car":
            return _car(store, facts)
        if kind == "prov":
            return _prov(settings, dataset_id)
        return _card_export(settings, store, facts, kind)
    except ContentError as error:
        return _refusal(_content_status(error), f"Dataset #{dataset_id}: {error}")


def _content_status(error: ContentError) -> int:
    # Not stored here: 404; stored but corrupt or not a card: 502 (never served).
    return 404 if "not in the local store" in str(error) else 502


def _headers(dataset_id: int, kind: str) -> dict[str, str]:
    return {
        **SAFETY_HEADERS,
        "Content-Disposition": f'inline; filename="dataset-{dataset_id}{_FILE_SUFFIX[kind]}"',
        # The dataset's status and attestations change: short caching only.
        "Cache-Control": "public, max-age=60",
        "Access-Control-Allow-Origin": "*",
    }


def _car(store: LocalContentStore, facts: DatasetFacts) -> ExportAnswer:
    download = dataset_car(store, facts.summary.data_cid, facts.summary.dataset_id)
    return ExportAnswer(200, download.media_type, download.body, download.headers)


def _prov(settings: Settings, dataset_id: int) -> ExportAnswer:
    engine = get_engine(settings.database_url)
    graph = dataset_lineage(engine, dataset_id)
    contributors = dataset_contributors(engine, [node.dataset_id for node in graph.nodes])
    nodes = [
        ProvNode(
            node.dataset_id,
            node.name,
            node.status,
            node.transformation,
            contributors.get(node.dataset_id),
        )
        for node in graph.nodes
    ]
    edges = [ProvEdge(e.parent_id, e.child_id, e.transformation) for e in graph.edges]
    body = prov_json(nodes, edges, settings.app_origin).encode()
    return ExportAnswer(200, PROV_MEDIA_TYPE, body, _headers(dataset_id, "prov"))


def card_context(settings: Settings, store: LocalContentStore, facts: DatasetFacts) -> CardContext:
    """The card's place as the index records it (lineage, contributor, addresses)."""
    summary = facts.summary
    return CardContext(
        dataset_id=summary.dataset_id,
        data_url=f"ipfs://{summary.data_cid}",
        parents=tuple(facts.parents),
        transformation=summary.transformation,
        transformation_note=_note_text(store, facts.transformation_note_cid),
        site_url=settings.app_origin,
        contributor=facts.contributor,
    )


def registered_card(store: LocalContentStore, facts: DatasetFacts) -> ReadCard:
    """The dataset's card, verified, with the file facts the chain fixes put in place."""
    card = read_card(store, facts.summary.card_cid)
    digest = facts.content_digest.removeprefix("0x")
    file_facts = replace(card.facts, cid=facts.summary.data_cid, sha256_hex=digest)
    if store.has(facts.summary.data_cid):
        file_facts = replace(file_facts, size_bytes=store.size(facts.summary.data_cid))
    return replace(card, facts=file_facts)


def _card_export(
    settings: Settings, store: LocalContentStore, facts: DatasetFacts, kind: str
) -> ExportAnswer:
    card = registered_card(store, facts)
    context = card_context(settings, store, facts)
    dataset_id = facts.summary.dataset_id
    if kind == "croissant":
        body = croissant_bytes(card.form, card.facts, context)
        return ExportAnswer(200, CROISSANT_MEDIA_TYPE, body, _headers(dataset_id, kind))
    text = hugging_face_card_md(card.form, card.facts, context)
    return ExportAnswer(200, MARKDOWN_MEDIA_TYPE, text.encode(), _headers(dataset_id, kind))


def _note_text(store: LocalContentStore, note_cid: str) -> str:
    """The transformation note's text ("" when absent, not stored, or not text)."""
    if not note_cid:
        return ""
    try:
        if store.size(note_cid) > MAX_TRANSFORMATION_NOTE_LENGTH * 4:
            return ""
        text = store.get(note_cid).decode("utf-8")
    except (ContentError, UnicodeDecodeError):
        return ""
    return text.replace("\x00", "\ufffd")[:MAX_TRANSFORMATION_NOTE_LENGTH]
