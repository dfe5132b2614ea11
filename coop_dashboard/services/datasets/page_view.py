"""One dataset's page (/datasets/<id>): its card, on-chain facts, attestations, versions,
exports and provenance graph, read from the index and the content store.

Everything shown was written by strangers: the card and notes are read from
the content store verified against their CIDs (a missing blob shows as
"unavailable", bytes that do not match as "mismatch", never served); the
card's words go through the sanitizing markdown renderer; notes are plain text.
Blocking (SQL, files, markdown): the live hub runs `read_dataset_page` in a thread.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from coop_dashboard.config import load_settings
from coop_dashboard.content.cid import is_cid
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.db.dataset_queries import (
    AttestationRow,
    DatasetFacts,
    dataset_attestations,
    dataset_lineage,
    dataset_versions,
    get_dataset,
)
from coop_dashboard.db.engine import get_engine
from coop_dashboard.errors import ContentError
from coop_dashboard.services.amounts import format_units
from coop_dashboard.services.datasets.cards import FIELD_LABELS, CardForm, ReadCard, read_card
from coop_dashboard.services.datasets.catalog_view import STATUS_SCHEMES
from coop_dashboard.services.datasets.lineage_graph import (
    STATUS_LABELS,
    dataset_link,
    lineage_figure,
    provenance_elements,
)
from coop_dashboard.services.display import format_decimal, format_int, format_utc, short_address
from coop_dashboard.services.governance.markdown import render_markdown
from coop_dashboard.services.plotly_json import EMPTY_FIGURE_JSON, figure_json

CARD_OK = "ok"
CARD_UNAVAILABLE = "unavailable"
CARD_MISMATCH = "mismatch"
CARD_INVALID = "invalid"
# The card's sections, in the order of the data-card practice (Croissant RAI fields).
CARD_SECTIONS = (
    "description",
    "purpose",
    "collection_method",
    "collection_timeframe",
    "preprocessing",
    "annotation",
    "biases_limitations",
    "personal_sensitive_info",
    "intended_uses",
    "out_of_scope_uses",
    "maintenance",
)
MAX_NOTE_CHARS = 2_000
_MAX_NOTE_BYTES = 16 * 1024
_MISMATCH_WORDS = ("does not match", "corrupted")


@dataclass(frozen=True)
class FactRow:
    label: str
    value: str
    copy: str = ""  # the exact value the copy button puts on the clipboard ("" = no button)
    link: str = ""


@dataclass(frozen=True)
class AttestationView:
    curator: str
    curator_short: str
    score: int
    note: str
    note_cid: str
    when: str
    revision: int
    curator_now: bool


@dataclass(frozen=True)
class VersionView:
    dataset_id: int
    link: str
    name: str
    status_label: str
    current: bool  # the page's own dataset


@dataclass(frozen=True)
class ExportLink:
    label: str
    url: str
    kind: str  # croissant, prov, card.md, car, data


@dataclass(frozen=True)
class DatasetPageView:
    loaded: bool = False
    found: bool = False
    dataset_id: int = 0
    name: str = ""
    status: str = ""
    status_label: str = ""
    status_scheme: str = "gray"
    status_reason: str = ""  # why it is delisted / paused / superseded
    owner: str = ""
    card_state: str = ""
    card_notice: str = ""
    card_html: str = ""
    facts: list[FactRow] = field(default_factory=list)
    attestations: list[AttestationView] = field(default_factory=list)
    curators: list[str] = field(default_factory=list)  # accounts with a current attestation
    versions: list[VersionView] = field(default_factory=list)
    exports: list[ExportLink] = field(default_factory=list)
    # Plotly JSON, not go.Figure: the view is a tab's state var (services/plotly_json.py).
    graph: dict[str, Any] = field(default_factory=lambda: copy.deepcopy(EMPTY_FIGURE_JSON))
    graph_targets: list[list[str]] = field(default_factory=list)
    graph_note: str = ""
    parents: list[int] = field(default_factory=list)
    notice: str = ""


def eth_text(wei: int) -> str:
    return f"{format_decimal(format_units(wei, 18), 6)} ETH"


def read_text_blob(store: LocalContentStore, cid: str, limit: int = MAX_NOTE_CHARS) -> str:
    """A short text from the store (a note, a reason), verified; a sentence if it cannot be."""
    if not cid:
        return ""
    cid = cid.removeprefix("ipfs://")  # chain data names content either way
    if not is_cid(cid):
        return "(not a content address)"
    try:
        if not store.has(cid):
            return f"(not in this app's content store: {cid})"
        if store.size(cid) > _MAX_NOTE_BYTES:
            return f"(too long to show here: {cid})"
        data = store.get(cid)
    except ContentError as error:
        return f"(unreadable: {error})"
    text = data.decode("utf-8", errors="replace").replace("\x00", "\ufffd")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def card_markdown(form: CardForm) -> str:
    """The card's words as markdown, one section per Croissant RAI field given."""
    parts: list[str] = []
    for name in CARD_SECTIONS:
        text = getattr(form, name)
        if text:
            parts.append(f"### {FIELD_LABELS[name]}\n\n{text}")
    if form.keywords:
        parts.append("### Keywords\n\n" + ", ".join(form.keywords))
    return "\n\n".join(parts)


def _card(store: LocalContentStore, facts: DatasetFacts) -> tuple[str, str, str, ReadCard | None]:
    """(state, notice, html, card) of the dataset's card."""
    cid = facts.summary.card_cid
    try:
        if not is_cid(cid) or not store.has(cid):
            return (
                CARD_UNAVAILABLE,
                f"The card ({cid}) is not in this app's content store.",
                "",
                None,
            )
        card = read_card(store, cid)
    except ContentError as error:
        if any(word in str(error) for word in _MISMATCH_WORDS):
            return (
                CARD_MISMATCH,
                f"The stored card does not match its CID {cid}: not shown.",
                "",
                None,
            )
        return CARD_INVALID, f"The card at {cid} cannot be read: {error}", "", None
    notice = ""
    if card.facts.cid and card.facts.cid != facts.summary.data_cid:
        notice = "The card describes another file than the one registered on chain."
    elif card.facts.sha256_hex and "0x" + card.facts.sha256_hex != facts.content_digest:
        notice = "The card's sha-256 differs from the digest registered on chain."
    html = render_markdown(card_markdown(card.form)).html
    return CARD_OK, notice, html, card


def _status_reason(store: LocalContentStore, facts: DatasetFacts) -> str:
    status = facts.summary.status
    if status == "delisted":
        reason = read_text_blob(store, facts.delisted_reason_cid or "")
        text = f"Delisted by governance: {reason}" if reason else "Delisted by governance."
        slashed = [c.amount for c in facts.history if c.kind == "delisted" and c.amount]
        if slashed:
            text += f" Its bond of {eth_text(slashed[-1])} went to the treasury."
        return text
    if status == "superseded" and facts.superseded_by is not None:
        return f"Superseded by dataset #{facts.superseded_by}."
    if status == "licensing_paused":
        who = "governance" if facts.paused_by_governance else "its contributor"
        return f"Licensing paused by {who}."
    return ""


def _facts(facts: DatasetFacts, card: ReadCard | None) -> list[FactRow]:
    summary = facts.summary
    rows = [
        FactRow("Owner", summary.owner, copy=summary.owner),
        FactRow("Contributor", facts.contributor, copy=facts.contributor),
        FactRow("Content digest (sha-256)", facts.content_digest, copy=facts.content_digest),
        FactRow(
            "Data CID", summary.data_cid, copy=summary.data_cid, link=f"/ipfs/{summary.data_cid}"
        ),
        FactRow(
            "Card CID", summary.card_cid, copy=summary.card_cid, link=f"/ipfs/{summary.card_cid}"
        ),
        FactRow("Modality", summary.modality),
        FactRow("Tags", ", ".join(summary.tags) or "none"),
        FactRow("License", summary.license or "not given"),
        FactRow("Bond", eth_text(summary.bond), copy=str(summary.bond)),
    ]
    if facts.bond_unlocks_at:
        rows.append(FactRow("Bond withdrawable from", format_utc(facts.bond_unlocks_at)))
    rows.append(FactRow("Made by", summary.transformation))
    if facts.transformation_note_cid:
        rows.append(
            FactRow(
                "Transformation note",
                facts.transformation_note_cid,
                copy=facts.transformation_note_cid,
                link=f"/ipfs/{facts.transformation_note_cid}",
            )
        )
    rows.append(FactRow("Registered", format_utc(summary.registered_at)))
    rows.append(FactRow("Registered in block", format_int(facts.registered_block)))
    if facts.registered_tx:
        rows.append(FactRow("Registration tx", facts.registered_tx, copy=facts.registered_tx))
    if card is not None:
        rows.append(FactRow("Size", f"{format_int(card.facts.size_bytes)} bytes"))
        rows.append(FactRow("Format", card.facts.encoding_format or "unknown"))
        if card.facts.row_count is not None:
            rows.append(FactRow("Rows", format_int(card.facts.row_count)))
        if card.facts.columns:
            columns = ", ".join(f"{name} ({kind})" for name, kind in card.facts.columns[:40])
            more = len(card.facts.columns) - 40
            rows.append(FactRow("Columns", columns + (f" and {more} more" if more > 0 else "")))
    return rows


def _attestation(store: LocalContentStore, row: AttestationRow) -> AttestationView:
    return AttestationView(
        curator=row.curator,
        curator_short=short_address(row.curator),
        score=row.score,
        note=read_text_blob(store, row.note_cid),
        note_cid=row.note_cid,
        when=format_utc(row.attested_at),
        revision=row.revision,
        curator_now=row.curator_now,
    )


def export_links(dataset_id: int, data_cid: str) -> list[ExportLink]:
    base = f"/api/datasets/{dataset_id}"
    return [
        ExportLink("Croissant JSON-LD", f"{base}/croissant", "croissant"),
        ExportLink("Hugging Face card (README.md)", f"{base}/card.md", "card.md"),
        ExportLink("PROV-JSON lineage", f"{base}/prov", "prov"),
        ExportLink("CAR (for IPFS pinning)", f"{base}/car", "car"),
        ExportLink("Data via /ipfs", f"/ipfs/{data_cid}", "data"),
    ]


def read_dataset_page(
    dataset_id: int,
    engine: Engine | None = None,
    store: LocalContentStore | None = None,
) -> DatasetPageView:
    """The page of `dataset_id` (found=False when the index has no such dataset)."""
    settings = load_settings()
    engine = engine or get_engine(settings.database_url)
    store = store or LocalContentStore(settings.content_dir)
    facts = get_dataset(engine, dataset_id)
    if facts is None:
        return DatasetPageView(loaded=True, found=False, dataset_id=dataset_id)
    summary = facts.summary
    card_state, card_notice, card_html, card = _card(store, facts)
    attestations = dataset_attestations(engine, dataset_id)
    lineage = dataset_lineage(engine, dataset_id)
    nodes, edges = provenance_elements(engine, lineage, dataset_id)
    graph = lineage_figure(nodes, edges)
    name = (card.form.name if card is not None else "") or summary.name or ""
    return DatasetPageView(
        loaded=True,
        found=True,
        dataset_id=dataset_id,
        name=name or f"Dataset #{dataset_id}",
        status=summary.status,
        status_label=STATUS_LABELS.get(summary.status, summary.status),
        status_scheme=STATUS_SCHEMES.get(summary.status, "gray"),
        status_reason=_status_reason(store, facts),
        owner=summary.owner,
        card_state=card_state,
        card_notice=card_notice,
        card_html=card_html,
        facts=_facts(facts, card),
        attestations=[_attestation(store, row) for row in attestations],
        curators=[row.curator for row in attestations],
        versions=[
            VersionView(
                v.dataset_id,
                dataset_link(v.dataset_id),
                v.name or f"Dataset #{v.dataset_id}",
                STATUS_LABELS.get(v.status, v.status),
                v.dataset_id == dataset_id,
            )
            for v in dataset_versions(engine, dataset_id)
        ],
        exports=export_links(dataset_id, summary.data_cid),
        graph=figure_json(graph.figure),
        graph_targets=graph.targets,
        graph_note="The graph is cut at its size limit." if lineage.truncated else "",
        parents=list(facts.parents),
    )
