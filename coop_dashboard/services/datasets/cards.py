"""Dataset cards: the form people fill, the file facts the app computes, Croissant JSON-LD.

A card is a Croissant 1.1 document (mlcommons.org/croissant) with its
Responsible-AI vocabulary (`rai:`), stored in the content store as canonical
JSON; the chain keeps its CID. People type the card's words (`CardForm`); the
facts about the file (CID, sha-256, size, format, CSV/Parquet columns and row
count) are computed from the bytes (`file_facts`), never typed.

Cards are read back from the store with `read_card`: a card was written by a
stranger, so anything may be in it (not JSON, wrong types, huge strings, NUL):
what does not fit is refused with ContentError, texts are cleaned and clipped.
Blocking file I/O throughout: async callers use a worker thread.
"""

from __future__ import annotations

import codecs
import csv
import functools
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, BinaryIO

from coop_dashboard.chain.dataset_registry import TRANSFORMATIONS
from coop_dashboard.content.cid import RAW_CODEC, block_cid, cid_from_bytes
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.content.unixfs import CHUNK_SIZE, DagBuilder
from coop_dashboard.db.dataset_cards import (
    MAX_DESCRIPTION_LENGTH,
    MAX_LICENSE_LENGTH,
    MAX_NAME_LENGTH,
)
from coop_dashboard.errors import ContentError

CSV_FORMAT = "text/csv"
PARQUET_FORMAT = "application/x-parquet"
TEXT_FORMAT = "text/plain"
BINARY_FORMAT = "application/octet-stream"
CROISSANT_MEDIA_TYPE = "application/ld+json"

# One table of limits for every text of the form (characters).
TEXT_LIMITS: dict[str, int] = {
    "name": MAX_NAME_LENGTH,
    "description": MAX_DESCRIPTION_LENGTH,
    "license": min(MAX_LICENSE_LENGTH, 64),
    "purpose": 4_000,
    "collection_method": 4_000,
    "collection_timeframe": 200,
    "preprocessing": 4_000,
    "annotation": 4_000,
    "biases_limitations": 4_000,
    "personal_sensitive_info": 4_000,
    "intended_uses": 4_000,
    "out_of_scope_uses": 4_000,
    "maintenance": 2_000,
    "version": 64,
}
REQUIRED_FIELDS = (
    "name",
    "description",
    "license",
    "purpose",
    "collection_method",
    "biases_limitations",
)
FIELD_LABELS: dict[str, str] = {
    "name": "Name",
    "description": "Description",
    "license": "License",
    "purpose": "Purpose",
    "collection_method": "Collection method",
    "collection_timeframe": "Collection timeframe",
    "preprocessing": "Preprocessing",
    "annotation": "Annotation",
    "biases_limitations": "Known biases and limitations",
    "personal_sensitive_info": "Personal or sensitive information",
    "intended_uses": "Intended uses",
    "out_of_scope_uses": "Out-of-scope uses",
    "maintenance": "Maintenance",
    "keywords": "Keywords",
    "version": "Version",
}
# Texts of one line (the rest may hold paragraphs).
SINGLE_LINE_FIELDS = ("name", "license", "collection_timeframe", "version")
MAX_KEYWORDS = 32
MAX_KEYWORD_LENGTH = 64
# Files: what is read to find the columns, and how many columns a card lists.
MAX_COLUMNS = 2_048
MAX_COLUMN_NAME_LENGTH = 200
MAX_CARD_BYTES = 512 * 1024
MAX_TRANSFORMATION_NOTE_LENGTH = 4_000
_SNIFF_BYTES = 64 * 1024
_REMEMBERED_FACTS = 256
_READ_BYTES = 4 * CHUNK_SIZE
# SPDX identifiers (spdx.org/licenses), or a LicenseRef- of one's own.
_SPDX_ID = re.compile(r"(LicenseRef-)?[A-Za-z0-9][A-Za-z0-9.+-]{0,62}")
# semver.org 2.0.0
_SEMVER = re.compile(
    r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

CROISSANT_CONFORMS_TO = "http://mlcommons.org/croissant/1.1"
COOP_NAMESPACE = "urn:coop-dashboard:card:"
# Croissant 1.1's context (the spec's), plus PROV-O for lineage and this app's few terms.
CROISSANT_CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "prov": "http://www.w3.org/ns/prov#",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
    "coop": COOP_NAMESPACE,
}
# Column types (what file_facts reports) -> Croissant data types.
DATA_TYPES: dict[str, str] = {
    "integer": "sc:Integer",
    "float": "sc:Float",
    "boolean": "sc:Boolean",
    "date": "sc:Date",
    "text": "sc:Text",
}
_DATA_TYPE_NAMES = {value: key for key, value in DATA_TYPES.items()}
_FILE_ID = "data-file"
_RECORDS_ID = "records"


@dataclass(frozen=True)
class CardForm:
    """What a contributor types about a dataset (the words of its card)."""

    name: str = ""
    description: str = ""
    license: str = ""  # an SPDX identifier, e.g. "CC-BY-4.0"
    purpose: str = ""
    collection_method: str = ""
    collection_timeframe: str = ""
    preprocessing: str = ""
    annotation: str = ""
    biases_limitations: str = ""
    personal_sensitive_info: str = ""
    intended_uses: str = ""
    out_of_scope_uses: str = ""
    maintenance: str = ""
    keywords: tuple[str, ...] = ()
    version: str = "1.0.0"

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> CardForm:
        """A form from untrusted input (a browser event's dict): strings kept, the rest dropped.

        Keywords may come as a list or as one comma-separated string. Values are
        not judged here: `card_problems` says what is wrong with them.
        """
        values: dict[str, Any] = {}
        for item in fields(cls):
            value = data.get(item.name)
            if item.name == "keywords":
                values["keywords"] = _keywords_of(value)
            elif isinstance(value, str):
                values[item.name] = value.strip()
        return cls(**values)


@dataclass(frozen=True)
class FileFacts:
    """Facts computed from a dataset file's bytes."""

    cid: str
    sha256_hex: str
    size_bytes: int
    encoding_format: str  # CSV_FORMAT, PARQUET_FORMAT, TEXT_FORMAT or BINARY_FORMAT
    columns: tuple[tuple[str, str], ...] = ()  # (name, type) for CSV / Parquet
    row_count: int | None = None  # CSV / Parquet only


@dataclass(frozen=True)
class CardLineage:
    """Where a dataset comes from, as its card tells it (the chain's record is the truth)."""

    parents: tuple[int, ...] = ()
    transformation: str = "source"
    transformation_note: str = ""


@dataclass(frozen=True)
class CardContext:
    """Where a card's dataset sits: its id (None before registration), where its bytes
    are fetched, its lineage, and the app's public origin (dataset pages' addresses)."""

    dataset_id: int | None
    data_url: str
    parents: tuple[int, ...] = ()
    transformation: str = "source"
    transformation_note: str = ""
    site_url: str = ""
    contributor: str = ""  # address, once registered

    @property
    def page_url(self) -> str:
        """The dataset page's address ("" before registration)."""
        return "" if self.dataset_id is None else dataset_url(self.site_url, self.dataset_id)


@dataclass(frozen=True)
class ReadCard:
    """A card read back from the content store."""

    form: CardForm
    facts: FileFacts
    lineage: CardLineage
    dataset_id: int | None


def _keywords_of(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list | tuple):
        return ()
    words = (word.strip() for word in value[: MAX_KEYWORDS * 4] if isinstance(word, str))
    return tuple(dict.fromkeys(word for word in words if word))


# ---- validation ------------------------------------------------------------------


def card_problems(form: CardForm) -> dict[str, str]:
    """What is wrong with the form: field -> message (empty: the card can be stored)."""
    problems: dict[str, str] = {}
    for name, limit in TEXT_LIMITS.items():
        value = getattr(form, name)
        label = FIELD_LABELS[name]
        if not isinstance(value, str):
            problems[name] = f"{label} must be text."
        elif name in REQUIRED_FIELDS and not value.strip():
            problems[name] = f"{label} is required."
        elif len(value) > limit:
            problems[name] = f"{label} is {len(value):,} characters; at most {limit:,}."
        elif _CONTROL.search(value):
            problems[name] = f"{label} contains control characters (such as NUL)."
        elif name in SINGLE_LINE_FIELDS and ("\n" in value or "\r" in value):
            problems[name] = f"{label} is one line of text."
    if "license" not in problems and form.license and not _SPDX_ID.fullmatch(form.license):
        problems["license"] = (
            "Use an SPDX license identifier such as CC-BY-4.0, MIT or CC0-1.0 "
            "(or LicenseRef-<name> for your own)."
        )
    if "version" not in problems and not _SEMVER.fullmatch(form.version or ""):
        problems["version"] = "Version is a semantic version such as 1.0.0."
    keyword_problem = _keyword_problem(form.keywords)
    if keyword_problem:
        problems["keywords"] = keyword_problem
    return problems


def _keyword_problem(keywords: object) -> str | None:
    if not isinstance(keywords, tuple) or not all(isinstance(k, str) for k in keywords):
        return "Keywords must be a list of words."
    if len(keywords) > MAX_KEYWORDS:
        return f"At most {MAX_KEYWORDS} keywords (there are {len(keywords)})."
    for keyword in keywords:
        if not keyword.strip():
            return "A keyword is empty."
        if len(keyword) > MAX_KEYWORD_LENGTH:
            return f"Keywords have at most {MAX_KEYWORD_LENGTH} characters."
        if _CONTROL.search(keyword) or "\n" in keyword or "\r" in keyword:
            return "A keyword is one word or phrase, without control characters."
    return None


# ---- file facts ------------------------------------------------------------------


def file_facts(path: Path, cid: str, max_bytes: int | None = None) -> FileFacts:
    """The facts of the file at `path`, which must be the file named by `cid`.

    Read twice, in pieces (never whole): once for its CID (as the store computes
    it), sha-256 and size, once for its columns and rows. ContentError for an
    empty file, one over `max_bytes`, one that is not the file `cid` names, or a
    CSV / Parquet file that cannot be read.
    """
    try:
        with path.open("rb") as source:
            computed, sha256_hex, size = _identity(source, max_bytes)
    except OSError as error:
        raise ContentError(f"The file cannot be read: {error.strerror or error}.") from error
    if size == 0:
        raise ContentError("The file is empty: a dataset needs at least one byte.")
    if computed != cid:
        raise ContentError(f"The file is not the one named {cid} (its CID is {computed}).")
    encoding, columns, rows = _layout(path)
    return FileFacts(cid, sha256_hex, size, encoding, columns, rows)


def stored_file_facts(store: LocalContentStore, cid: str, work_dir: Path) -> FileFacts:
    """`file_facts` of a file already in the store (its bytes are verified while read).

    The store keeps a file's bytes in one file named by its CID; reading them
    through `iter_content` verifies each piece, so they are copied to `work_dir`
    first only when the layout needs random access (Parquet's footer). A CID's
    facts never change: they are remembered (the upload computes them, the
    registration asks again), as long as the file is still stored.
    """
    if not store.has(cid):
        raise ContentError(f"Content {cid} is not in the local store.")
    return _stored_file_facts(store.root, cid, work_dir)


@functools.lru_cache(maxsize=_REMEMBERED_FACTS)
def _stored_file_facts(root: Path, cid: str, work_dir: Path) -> FileFacts:
    store = LocalContentStore(root)
    size = store.size(cid)
    if size == 0:
        raise ContentError("The file is empty: a dataset needs at least one byte.")
    sha256 = hashlib.sha256()
    for piece in store.iter_content(cid):
        sha256.update(piece)
    head = b"".join(store.iter_content(cid, 0, _SNIFF_BYTES))
    if head.startswith(b"PAR1"):
        work_dir.mkdir(parents=True, exist_ok=True)
        copy = work_dir / f"{cid}.part"
        try:
            with copy.open("wb") as out:
                for piece in store.iter_content(cid):
                    out.write(piece)
            encoding, columns, rows = _parquet_layout(copy)
        finally:
            copy.unlink(missing_ok=True)
    else:
        encoding, columns, rows = _text_layout(
            head, lambda: io.BufferedReader(_PiecesReader(store.iter_content(cid)))
        )
    return FileFacts(cid, sha256.hexdigest(), size, encoding, columns, rows)


class _PiecesReader(io.RawIOBase):
    """A binary stream over verified pieces (so csv reads a stored file as it streams)."""

    def __init__(self, pieces: Iterator[bytes]) -> None:
        self._pieces = pieces
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            piece = next(self._pieces, None)
            if piece is None:
                return 0
            self._pending = piece
        count = min(len(buffer), len(self._pending))
        buffer[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        return count


def _identity(source: io.BufferedReader, max_bytes: int | None) -> tuple[str, str, int]:
    builder = DagBuilder(lambda cid, block: None)
    sha256 = hashlib.sha256()
    size = 0
    pending = b""
    while chunk := source.read(_READ_BYTES):
        size += len(chunk)
        if max_bytes is not None and size > max_bytes:
            raise ContentError(f"The file is larger than the {max_bytes:,} bytes allowed.")
        sha256.update(chunk)
        data = pending + chunk
        whole = len(data) - len(data) % CHUNK_SIZE
        for start in range(0, whole, CHUNK_SIZE):
            leaf = data[start : start + CHUNK_SIZE]
            builder.add_leaf(block_cid(RAW_CODEC, leaf), len(leaf))
        pending = data[whole:]
    if pending or size == 0:
        builder.add_leaf(block_cid(RAW_CODEC, pending), len(pending))
    return cid_from_bytes(builder.finish().cid), sha256.hexdigest(), size


Layout = tuple[str, tuple[tuple[str, str], ...], int | None]


def _layout(path: Path) -> Layout:
    with path.open("rb") as source:
        head = source.read(_SNIFF_BYTES)
    if head.startswith(b"PAR1"):
        return _parquet_layout(path)
    return _text_layout(head, lambda: path.open("rb"))


def _text_layout(head: bytes, open_binary: Callable[[], BinaryIO]) -> Layout:
    if b"\x00" in head or not _is_utf8_prefix(head):
        return BINARY_FORMAT, (), None
    return _csv_layout(open_binary)


def _is_utf8_prefix(data: bytes) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(data, final=False)  # a character cut at the end is fine
    except UnicodeDecodeError:
        return False
    return True


def _parquet_layout(path: Path) -> tuple[str, tuple[tuple[str, str], ...], int | None]:
    import pyarrow.parquet as parquet  # imported here: heavy, and only Parquet needs it

    try:
        # The footer only: schema and row count without reading the data.
        metadata = parquet.read_metadata(path)
        schema = metadata.schema.to_arrow_schema()
    except Exception as error:  # pyarrow raises its own zoo for a damaged footer
        raise ContentError(
            f"The file starts like Parquet but cannot be read as Parquet: {error}"
        ) from error
    if len(schema) > MAX_COLUMNS:
        raise ContentError(f"The file has {len(schema):,} columns; at most {MAX_COLUMNS:,}.")
    columns = tuple(
        (_column_name(field.name, index), _arrow_type(str(field.type)))
        for index, field in enumerate(schema)
    )
    if len({name for name, _ in columns}) != len(columns):
        raise ContentError("The Parquet schema names a column twice; names must be unique.")
    return PARQUET_FORMAT, columns, int(metadata.num_rows)


def _arrow_type(arrow: str) -> str:
    if arrow.startswith(("int", "uint")):
        return "integer"
    if arrow.startswith(("float", "double", "halffloat", "decimal")):
        return "float"
    if arrow == "bool":
        return "boolean"
    if arrow.startswith(("date", "timestamp")):
        return "date"
    return "text"


def _column_name(name: object, index: int) -> str:
    text = _clean_text(str(name), MAX_COLUMN_NAME_LENGTH).strip()
    return text or f"column_{index + 1}"


def _csv_layout(open_binary: Callable[[], BinaryIO]) -> Layout:
    with io.TextIOWrapper(open_binary(), encoding="utf-8", newline="") as text:
        reader = csv.reader(text, strict=True)
        try:
            header = next(reader, None)
        except (csv.Error, UnicodeDecodeError):
            return TEXT_FORMAT, (), None
        if header is None or len(header) < 2:
            return TEXT_FORMAT, (), None  # one column of text: not a table
        if len(header) > MAX_COLUMNS:
            raise ContentError(f"The CSV has {len(header):,} columns; at most {MAX_COLUMNS:,}.")
        names = [_column_name(name, index) for index, name in enumerate(header)]
        if len(set(names)) != len(names):
            raise ContentError("The CSV's header names a column twice; names must be unique.")
        kinds: list[str | None] = [None] * len(names)
        rows = 0
        try:
            for row in reader:
                if not row:
                    continue  # a blank line
                rows += 1
                if len(row) != len(names):
                    raise ContentError(
                        f"CSV row {rows} has {len(row)} fields; the header has {len(names)}."
                    )
                for index, value in enumerate(row):
                    kinds[index] = _widen(kinds[index], value)
        except csv.Error as error:
            raise ContentError(f"The CSV cannot be read after row {rows}: {error}.") from error
        except UnicodeDecodeError as error:
            raise ContentError("The CSV is not all UTF-8 text: save it as UTF-8.") from error
    return CSV_FORMAT, tuple(zip(names, (k or "text" for k in kinds), strict=True)), rows


_INTEGER = re.compile(r"\s*[+-]?\d+\s*")
_FLOAT = re.compile(
    r"\s*[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf|infinity|nan)\s*",
    re.IGNORECASE,
)
_BOOLEANS = ("true", "false")


def _widen(known: str | None, value: str) -> str | None:
    """The narrowest type holding every value seen so far (empty values fit any).

    Regular expressions, not int()/float() and their exceptions: this runs once
    per cell of the file.
    """
    if not value or known == "text":
        return known
    if known in (None, "integer") and _INTEGER.fullmatch(value):
        return "integer"
    if known in (None, "integer", "float") and _FLOAT.fullmatch(value):
        return "float"
    if known in (None, "boolean") and value.strip().lower() in _BOOLEANS:
        return "boolean"
    return "text"


# ---- Croissant ---------------------------------------------------------------------


def dataset_url(site_url: str, dataset_id: int) -> str:
    """The dataset page's address (the card's and the lineage's identifier for a dataset)."""
    return f"{site_url.rstrip('/')}/datasets/{dataset_id}"


def build_croissant(form: CardForm, facts: FileFacts, context: CardContext) -> dict[str, Any]:
    """The card as a Croissant 1.1 JSON-LD document (with RAI fields and PROV lineage)."""
    document: dict[str, Any] = {
        "@context": CROISSANT_CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": CROISSANT_CONFORMS_TO,
        "name": form.name,
        "description": form.description,
        "license": license_url(form.license),
        "version": form.version,
        "keywords": list(form.keywords),
        "url": context.page_url or context.data_url,
        "coop:purpose": form.purpose,
        "rai:dataCollection": form.collection_method,
        "rai:dataLimitations": form.biases_limitations,
        "rai:dataBiases": form.biases_limitations,
    }
    optional = {
        "rai:dataCollectionTimeframe": form.collection_timeframe,
        "rai:dataPreprocessingProtocol": form.preprocessing,
        "rai:dataAnnotationProtocol": form.annotation,
        "rai:personalSensitiveInformation": form.personal_sensitive_info,
        "rai:dataUseCases": form.intended_uses,
        "coop:outOfScopeUses": form.out_of_scope_uses,
        "rai:dataReleaseMaintenancePlan": form.maintenance,
    }
    document.update({key: value for key, value in optional.items() if value})
    if context.dataset_id is not None:
        document["coop:datasetId"] = context.dataset_id
    document["prov:wasGeneratedBy"] = {
        "@type": "prov:Activity",
        "name": context.transformation,
        "description": context.transformation_note,
    }
    if context.parents:
        document["prov:wasDerivedFrom"] = [
            {"@id": dataset_url(context.site_url, parent)} for parent in sorted(context.parents)
        ]
    file_object: dict[str, Any] = {
        "@type": "cr:FileObject",
        "@id": _FILE_ID,
        "name": _FILE_ID,
        "contentUrl": context.data_url,
        "encodingFormat": facts.encoding_format,
        "sha256": facts.sha256_hex,
        "contentSize": f"{facts.size_bytes} B",
        "coop:cid": facts.cid,
    }
    document["distribution"] = [file_object]
    if facts.columns:
        file_object["coop:rowCount"] = facts.row_count
        document["recordSet"] = [_record_set(facts.columns)]
    return document


def _record_set(columns: Sequence[tuple[str, str]]) -> dict[str, Any]:
    return {
        "@type": "cr:RecordSet",
        "@id": _RECORDS_ID,
        "name": _RECORDS_ID,
        "field": [
            {
                "@type": "cr:Field",
                # Ids by position: column names are anything a stranger typed.
                "@id": f"{_RECORDS_ID}/column_{index + 1}",
                "name": name,
                "dataType": DATA_TYPES.get(kind, "sc:Text"),
                "source": {"fileObject": {"@id": _FILE_ID}, "extract": {"column": name}},
            }
            for index, (name, kind) in enumerate(columns)
        ],
    }


def license_url(spdx_id: str) -> str:
    return f"https://spdx.org/licenses/{spdx_id}.html"


def canonical_json(document: Mapping[str, Any]) -> bytes:
    """One byte form per document (sorted keys, no spaces, UTF-8): equal cards, equal CIDs."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def croissant_bytes(form: CardForm, facts: FileFacts, context: CardContext) -> bytes:
    """`build_croissant` as canonical JSON bytes (what the content store keeps)."""
    return canonical_json(build_croissant(form, facts, context))


# ---- reading a card back ------------------------------------------------------------


def read_card(store: LocalContentStore, card_cid: str) -> ReadCard:
    """The card at `card_cid`, verified against it; ContentError if it is not a card."""
    size = store.size(card_cid)  # ContentError: not a CID, or not stored
    if size > MAX_CARD_BYTES:
        raise ContentError(f"The card is {size:,} bytes; a card has at most {MAX_CARD_BYTES:,}.")
    return parse_card(store.get(card_cid))


def parse_card(data: bytes) -> ReadCard:
    """A card from its bytes (anything a stranger stored): ContentError if not a card."""
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ContentError("The card is not JSON text.") from error
    if not isinstance(document, dict):
        raise ContentError("The card is not a JSON object.")
    files = document.get("distribution")
    file_object = files[0] if isinstance(files, list) and files else None
    if not isinstance(file_object, dict):
        raise ContentError("The card names no data file (Croissant distribution).")
    form = CardForm(
        name=_text(document, "name", "name"),
        description=_text(document, "description", "description"),
        license=_license_id(_text(document, "license", "license")),
        purpose=_text(document, "coop:purpose", "purpose"),
        collection_method=_text(document, "rai:dataCollection", "collection_method"),
        collection_timeframe=_text(document, "rai:dataCollectionTimeframe", "collection_timeframe"),
        preprocessing=_text(document, "rai:dataPreprocessingProtocol", "preprocessing"),
        annotation=_text(document, "rai:dataAnnotationProtocol", "annotation"),
        biases_limitations=_text(document, "rai:dataLimitations", "biases_limitations"),
        personal_sensitive_info=_text(
            document, "rai:personalSensitiveInformation", "personal_sensitive_info"
        ),
        intended_uses=_text(document, "rai:dataUseCases", "intended_uses"),
        out_of_scope_uses=_text(document, "coop:outOfScopeUses", "out_of_scope_uses"),
        maintenance=_text(document, "rai:dataReleaseMaintenancePlan", "maintenance"),
        keywords=tuple(
            _clean_text(word, MAX_KEYWORD_LENGTH)
            for word in _keywords_of(document.get("keywords"))[:MAX_KEYWORDS]
        ),
        version=_text(document, "version", "version"),
    )
    facts = FileFacts(
        cid=_text(file_object, "coop:cid", None, 128),
        sha256_hex=_text(file_object, "sha256", None, 64),
        size_bytes=_size_of(file_object.get("contentSize")),
        encoding_format=_text(file_object, "encodingFormat", None, 128),
        columns=_columns_of(document.get("recordSet")),
        row_count=_count_of(file_object.get("coop:rowCount")),
    )
    return ReadCard(form, facts, _lineage_of(document), _count_of(document.get("coop:datasetId")))


def _clean_text(text: str, limit: int) -> str:
    return _CONTROL.sub("\ufffd", text)[:limit]


def _text(document: Mapping[str, Any], key: str, field_name: str | None, limit: int = 0) -> str:
    value = document.get(key)
    if not isinstance(value, str):
        return ""
    return _clean_text(value, TEXT_LIMITS.get(field_name or "", limit) or limit)


def _license_id(url: str) -> str:
    prefix, suffix = "https://spdx.org/licenses/", ".html"
    if url.startswith(prefix) and url.endswith(suffix):
        return url[len(prefix) : -len(suffix)]
    return url


def _size_of(value: object) -> int:
    if isinstance(value, str) and value.endswith(" B") and value[:-2].isdigit():
        return int(value[:-2][:20])
    return 0


def _count_of(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63:
        return value
    return None


def _columns_of(record_sets: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(record_sets, list) or not record_sets:
        return ()
    first = record_sets[0]
    found = first.get("field") if isinstance(first, dict) else None
    if not isinstance(found, list):
        return ()
    columns: list[tuple[str, str]] = []
    for item in found[:MAX_COLUMNS]:
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            kind = item.get("dataType")
            kind_name = _DATA_TYPE_NAMES.get(kind, "text") if isinstance(kind, str) else "text"
            columns.append((_clean_text(item["name"], MAX_COLUMN_NAME_LENGTH), kind_name))
    return tuple(columns)


def _lineage_of(document: Mapping[str, Any]) -> CardLineage:
    activity = document.get("prov:wasGeneratedBy")
    kind, note = "source", ""
    if isinstance(activity, dict):
        name = activity.get("name")
        kind = name if isinstance(name, str) and name in TRANSFORMATIONS else "other"
        described = activity.get("description")
        if isinstance(described, str):
            note = _clean_text(described, MAX_TRANSFORMATION_NOTE_LENGTH)
    parents: list[int] = []
    derived = document.get("prov:wasDerivedFrom")
    if isinstance(derived, list):
        for item in derived[:64]:
            reference = item.get("@id") if isinstance(item, dict) else None
            tail = reference.rsplit("/", 1)[-1] if isinstance(reference, str) else ""
            if tail.isascii() and tail.isdigit() and len(tail) <= 18:
                parents.append(int(tail))
    return CardLineage(tuple(sorted(set(parents))), kind, note)
