"""The dataset catalog as the page shows it: one page of cards per CatalogKey, from SQL.

The key holds what the controls chose; `catalog_key` builds it from what a
browser sent (anything) and says what it refused; `read_catalog_view` turns
one catalog page and the filter facets into display rows (blocking: the live
hub runs it in a worker thread).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlalchemy import Engine

from coop_dashboard.config import load_settings
from coop_dashboard.db.dataset_queries import (
    MAX_TAG_FILTERS,
    SORTS,
    STATUSES,
    CatalogQuery,
    CatalogQueryError,
    DatasetSummary,
    catalog_facets,
    dataset_catalog,
)
from coop_dashboard.db.engine import get_engine
from coop_dashboard.db.list_query_checks import MAX_SEARCH_LENGTH
from coop_dashboard.services.datasets.lineage_graph import STATUS_LABELS, dataset_link
from coop_dashboard.services.display import format_int, short_address

PAGE_SIZE = 24
SORT_LABELS = {"newest": "Newest", "quality": "Quality score", "most_used": "Most used"}
VERIFIED_CHOICES = ("any", "yes", "no")
# Radix colour schemes of the status badges (the graph uses the same hues).
STATUS_SCHEMES = {
    "active": "green",
    "superseded": "gray",
    "licensing_paused": "amber",
    "delisted": "red",
}
ANY = ""  # a filter left open
_MAX_DESCRIPTION = 220
_MAX_PAGE = 1_000_000


@dataclass(frozen=True)
class CatalogKey:
    search: str = ""
    modality: str = ANY
    tags: tuple[str, ...] = ()
    license: str = ANY
    verified: str = "any"  # one of VERIFIED_CHOICES
    status: str = ANY  # "" or one of STATUSES
    sort: str = "newest"
    page: int = 1

    def query(self) -> CatalogQuery:
        verified = {"any": None, "yes": True, "no": False}[self.verified]
        return CatalogQuery(
            search=self.search,
            modality=self.modality or None,
            tags=self.tags,
            statuses=(self.status,) if self.status else (),
            curator_verified=verified,
            license=self.license or None,
            sort=self.sort,
            page=self.page,
            page_size=PAGE_SIZE,
        )


class CatalogInputError(ValueError):
    """A control's value the catalog does not take (the message says why)."""


def _text(value: object, what: str, limit: int) -> str:
    if not isinstance(value, str):
        raise CatalogInputError(f"{what}: not text.")
    if len(value) > limit:
        raise CatalogInputError(f"{what}: at most {limit} characters.")
    return value.strip()


def changed_key(key: CatalogKey, control: str, value: object) -> CatalogKey:
    """`key` with one control set to a browser-sent value; CatalogInputError if refused.

    Every change but paging goes back to page 1.
    """
    if control == "search":
        return replace(key, search=_text(value, "Search", MAX_SEARCH_LENGTH), page=1)
    if control == "modality":
        return replace(key, modality=_text(value, "Modality", 64), page=1)
    if control == "license":
        return replace(key, license=_text(value, "License", 64), page=1)
    if control == "verified":
        if value not in VERIFIED_CHOICES:
            raise CatalogInputError("Curator-verified: any, yes or no.")
        return replace(key, verified=str(value), page=1)
    if control == "status":
        if value != ANY and value not in STATUSES:
            raise CatalogInputError(f"Unknown status {str(value)[:40]!r}.")
        return replace(key, status=str(value), page=1)
    if control == "sort":
        if value not in SORTS:
            raise CatalogInputError(f"Unknown sort {str(value)[:40]!r}.")
        return replace(key, sort=str(value), page=1)
    if control == "tag":  # toggles one tag
        tag = _text(value, "Tag", 64)
        if not tag:
            return key
        if tag in key.tags:
            return replace(key, tags=tuple(t for t in key.tags if t != tag), page=1)
        if len(key.tags) >= MAX_TAG_FILTERS:
            raise CatalogInputError(f"Filter by at most {MAX_TAG_FILTERS} tags.")
        return replace(key, tags=(*key.tags, tag), page=1)
    if control == "page":
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= _MAX_PAGE:
            raise CatalogInputError("Not a page number.")
        return replace(key, page=value)
    raise CatalogInputError(f"Unknown control {control[:40]!r}.")


@dataclass(frozen=True)
class CatalogCard:
    dataset_id: int
    link: str
    name: str
    description: str
    modality: str
    status: str
    status_label: str
    status_scheme: str
    quality: str  # "87 / 100" or "not rated"
    verified: bool
    tags: list[str]
    license: str
    owner: str
    owner_short: str
    used: str  # "3 uses"


@dataclass(frozen=True)
class Facet:
    value: str
    label: str  # "tabular (12)"


@dataclass(frozen=True)
class CatalogView:
    loaded: bool = False
    cards: list[CatalogCard] = field(default_factory=list)
    total: int = 0
    total_text: str = "0 datasets"
    page: int = 1
    pages: int = 1
    modalities: list[Facet] = field(default_factory=list)
    tags: list[Facet] = field(default_factory=list)
    licenses: list[Facet] = field(default_factory=list)
    notice: str = ""


def catalog_card(summary: DatasetSummary) -> CatalogCard:
    description = summary.description or ""
    if len(description) > _MAX_DESCRIPTION:
        description = description[: _MAX_DESCRIPTION - 1] + "…"
    return CatalogCard(
        dataset_id=summary.dataset_id,
        link=dataset_link(summary.dataset_id),
        name=summary.name or f"Dataset #{summary.dataset_id}",
        description=description,
        modality=summary.modality,
        status=summary.status,
        status_label=STATUS_LABELS.get(summary.status, summary.status),
        status_scheme=STATUS_SCHEMES.get(summary.status, "gray"),
        quality="not rated" if summary.quality is None else f"{summary.quality:.0f} / 100",
        verified=summary.curator_verified,
        tags=list(summary.tags),
        license=summary.license or "",
        owner=summary.owner,
        owner_short=short_address(summary.owner),
        used=f"{format_int(summary.use_count)} use" + ("" if summary.use_count == 1 else "s"),
    )


def read_catalog_view(key: CatalogKey, engine: Engine | None = None) -> CatalogView:
    """The catalog page for `key` (a refused query comes back as a notice, not raised)."""
    engine = engine or get_engine(load_settings().database_url)
    facets = catalog_facets(engine)
    try:
        found = dataset_catalog(engine, key.query())
    except CatalogQueryError as refused:
        return CatalogView(loaded=True, notice=str(refused))
    noun = "dataset" if found.total == 1 else "datasets"
    return CatalogView(
        loaded=True,
        cards=[catalog_card(row) for row in found.rows],
        total=found.total,
        total_text=f"{format_int(found.total)} {noun}",
        page=found.page,
        pages=found.pages,
        modalities=[Facet(m, f"{m} ({n})") for m, n in facets.modalities],
        tags=[Facet(t, f"{t} ({n})") for t, n in facets.tags],
        licenses=[Facet(lic, f"{lic} ({n})") for lic, n in facets.licenses],
    )
