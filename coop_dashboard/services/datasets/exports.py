"""A dataset in the formats the field uses: Hugging Face README.md, W3C PROV-JSON, CAR.

Croissant JSON-LD is `cards.croissant_bytes`. Each export here is also a public
HTTP endpoint (api/datasets.py); the texts come from cards written by
strangers, so the YAML header carries them as quoted scalars only (JSON
strings, which YAML reads as they are) and nothing in them can add a key.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from prov.model import ProvDocument

from coop_dashboard.content.car import CarDownload, car_download
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.services.datasets.cards import (
    CSV_FORMAT,
    PARQUET_FORMAT,
    CardContext,
    CardForm,
    FileFacts,
    dataset_url,
)

COOP_PROV_NAMESPACE = "urn:coop-dashboard:"
MARKDOWN_MEDIA_TYPE = "text/markdown; charset=utf-8"
PROV_MEDIA_TYPE = "application/json"
# Hugging Face's size_categories buckets (rows, or bytes for files without rows).
_SIZE_CATEGORIES = (
    (1_000, "n<1K"),
    (10_000, "1K<n<10K"),
    (100_000, "10K<n<100K"),
    (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"),
    (100_000_000, "10M<n<100M"),
    (1_000_000_000, "100M<n<1B"),
)
_NOT_GIVEN = "_Not given._"


@dataclass(frozen=True)
class ProvNode:
    """One dataset of a lineage graph, as PROV-JSON describes it."""

    dataset_id: int
    name: str | None
    status: str
    transformation: str  # how it was made from its parents ("source": it has none)
    contributor: str | None  # address, when known


@dataclass(frozen=True)
class ProvEdge:
    parent_id: int
    child_id: int
    transformation: str


# ---- Hugging Face README.md --------------------------------------------------------


def _yaml_scalar(text: str) -> str:
    # A JSON string is a YAML double-quoted scalar; ASCII escapes keep YAML 1.1 readers happy.
    return json.dumps(text, ensure_ascii=True)


def _size_category(facts: FileFacts) -> str:
    count = facts.row_count if facts.row_count is not None else facts.size_bytes
    for bound, label in _SIZE_CATEGORIES:
        if count < bound:
            return label
    return "n>1B"


def _hf_license(spdx_id: str) -> str:
    # The Hub lists licenses by lowercased SPDX id (cc-by-4.0, mit, apache-2.0, ...).
    return spdx_id.lower() if spdx_id else "other"


def _section(text: str) -> str:
    return text.strip() or _NOT_GIVEN


def hugging_face_card_md(form: CardForm, facts: FileFacts, context: CardContext) -> str:
    """A Hugging Face dataset card (README.md): YAML header + the Hub template's sections."""
    header = [
        "---",
        f"pretty_name: {_yaml_scalar(form.name)}",
        f"license: {_yaml_scalar(_hf_license(form.license))}",
        "tags:",
        *(f"- {_yaml_scalar(word)}" for word in form.keywords),
        "size_categories:",
        f"- {_yaml_scalar(_size_category(facts))}",
        f"version: {_yaml_scalar(form.version)}",
        "---",
    ]
    if not form.keywords:
        header[header.index("tags:")] = "tags: []"
    page = context.page_url
    contributor = context.contributor
    lineage = _lineage_text(context)
    body = f"""
# Dataset Card for {" ".join(form.name.split())}

{_section(form.description)}

## Dataset Details

### Dataset Description

{_section(form.description)}

- **Curated by:** {contributor or _NOT_GIVEN}
- **License:** {form.license or _NOT_GIVEN}
- **Version:** {form.version}

### Dataset Sources

- **Repository:** {page or _NOT_GIVEN}
- **Data (IPFS CID):** `{facts.cid}` ({context.data_url})

## Uses

### Direct Use

{_section(form.intended_uses)}

### Out-of-Scope Use

{_section(form.out_of_scope_uses)}

## Dataset Structure

{_structure(facts)}

## Dataset Creation

### Curation Rationale

{_section(form.purpose)}

### Source Data

#### Data Collection and Processing

{_section(form.collection_method)}

Collection timeframe: {form.collection_timeframe.strip() or "not given"}.

Preprocessing: {form.preprocessing.strip() or "not given"}.

{lineage}

### Annotations

{_section(form.annotation)}

#### Personal and Sensitive Information

{_section(form.personal_sensitive_info)}

## Bias, Risks, and Limitations

{_section(form.biases_limitations)}

## More Information

Maintenance: {form.maintenance.strip() or "not given"}.

## Dataset Card Contact

{contributor or _NOT_GIVEN}
"""
    return "\n".join(header) + "\n" + body


def _structure(facts: FileFacts) -> str:
    lines = [
        f"- **File:** {facts.encoding_format}, {facts.size_bytes:,} bytes",
        f"- **SHA-256:** `{facts.sha256_hex}`",
    ]
    if facts.encoding_format in (CSV_FORMAT, PARQUET_FORMAT) and facts.columns:
        lines.append(f"- **Rows:** {facts.row_count or 0:,}")
        lines.append("")
        lines.append("| Column | Type |")
        lines.append("| --- | --- |")
        for name, kind in facts.columns:
            cell = name.replace("|", "\\|").replace("\n", " ")
            lines.append(f"| {cell} | {kind} |")
    return "\n".join(lines)


def _lineage_text(context: CardContext) -> str:
    if not context.parents:
        return "This is a source dataset (no parent datasets in the registry)."
    site = context.site_url
    links = ", ".join(f"[#{p}]({dataset_url(site, p)})" for p in sorted(context.parents))
    note = context.transformation_note.strip()
    return f"Derived from {links} by {context.transformation}." + (f" {note}" if note else "")


# ---- W3C PROV-JSON --------------------------------------------------------------------


def _entity_id(dataset_id: int) -> str:
    return f"coop:dataset-{dataset_id}"


def _activity_id(dataset_id: int) -> str:
    return f"coop:transformation-{dataset_id}"


def prov_document(
    nodes: Sequence[ProvNode], edges: Sequence[ProvEdge], site_url: str = ""
) -> ProvDocument:
    """The lineage as PROV: datasets are entities, each dataset's making an activity
    (the transformation) that used the parents and generated it; wasDerivedFrom per edge,
    wasAttributedTo the contributor (an agent named by address)."""
    document = ProvDocument()
    document.add_namespace("coop", COOP_PROV_NAMESPACE)
    known = {node.dataset_id for node in nodes}
    agents: set[str] = set()
    for node in sorted(nodes, key=lambda n: n.dataset_id):
        entity = document.entity(
            _entity_id(node.dataset_id),
            {
                "prov:label": node.name or f"Dataset #{node.dataset_id}",
                "prov:location": dataset_url(site_url, node.dataset_id),
                "coop:status": node.status,
            },
        )
        if node.transformation != "source":
            activity = document.activity(
                _activity_id(node.dataset_id),
                other_attributes={"prov:type": f"coop:{node.transformation}"},
            )
            document.wasGeneratedBy(entity, activity)
        if node.contributor:
            agent = f"coop:account-{node.contributor.lower()}"
            if agent not in agents:
                agents.add(agent)
                document.agent(agent, {"prov:type": "prov:Person"})
            document.wasAttributedTo(entity, agent)
    for edge in sorted(edges, key=lambda e: (e.child_id, e.parent_id)):
        if edge.parent_id not in known or edge.child_id not in known:
            continue
        activity_id = _activity_id(edge.child_id)
        document.used(activity_id, _entity_id(edge.parent_id))
        document.wasDerivedFrom(
            _entity_id(edge.child_id), _entity_id(edge.parent_id), activity=activity_id
        )
    return document


def prov_json(nodes: Sequence[ProvNode], edges: Sequence[ProvEdge], site_url: str = "") -> str:
    """`prov_document` serialized as W3C PROV-JSON."""
    return str(prov_document(nodes, edges, site_url).serialize(format="json", indent=2))


# ---- CAR --------------------------------------------------------------------------------


def dataset_car(store: LocalContentStore, data_cid: str, dataset_id: int) -> CarDownload:
    """The dataset's file as a CAR download (ContentError now if it is not stored)."""
    return car_download(store, data_cid, filename=f"dataset-{dataset_id}")
