"""Dataset cards: file facts from real CSV / Parquet bytes, the form's checks, Croissant
validated by mlcroissant (the reference implementation), and cards read back from the
store whatever a stranger put in them."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from pathlib import Path

import mlcroissant
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.content.unixfs import CHUNK_SIZE
from coop_dashboard.errors import ContentError
from coop_dashboard.services.datasets.cards import (
    BINARY_FORMAT,
    CSV_FORMAT,
    MAX_CARD_BYTES,
    PARQUET_FORMAT,
    REQUIRED_FIELDS,
    TEXT_FORMAT,
    TEXT_LIMITS,
    CardContext,
    CardForm,
    FileFacts,
    build_croissant,
    canonical_json,
    card_problems,
    croissant_bytes,
    file_facts,
    parse_card,
    read_card,
    stored_file_facts,
)

FORM = CardForm(
    name="Wine recognition",
    description="Chemical analysis of 178 Italian wines from three cultivars.",
    license="CC-BY-4.0",
    purpose="Benchmark small multi-class classifiers.",
    collection_method="Laboratory measurements of 13 constituents (Forina et al.).",
    collection_timeframe="1988-1991",
    preprocessing="None: the values as published.",
    annotation="The cultivar of each wine, known from its origin.",
    biases_limitations="Three cultivars from one region of Italy only; 178 samples.",
    personal_sensitive_info="None: measurements of wine.",
    intended_uses="Teaching and testing classifiers.",
    out_of_scope_uses="Judging wine quality or price.",
    maintenance="Frozen: the UCI archive copy.",
    keywords=("wine", "chemistry", "classification"),
    version="1.2.0",
)
CSV = (
    b"alcohol,malic_acid,flag,class,note\n14.23,1.71,true,0,ok\n13.2,1.78,false,1,\n13,2,true,2,x\n"
)


def _stored(store: LocalContentStore, path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return store.put_path(path).cid


@pytest.fixture
def store(tmp_path: Path) -> LocalContentStore:
    return LocalContentStore(tmp_path / "store")


def test_csv_facts_have_typed_columns_and_rows(store: LocalContentStore, tmp_path: Path) -> None:
    path = tmp_path / "wine.csv"
    cid = _stored(store, path, CSV)
    facts = file_facts(path, cid)
    assert facts.cid == cid and facts.size_bytes == len(CSV)
    assert facts.encoding_format == CSV_FORMAT
    assert facts.columns == (
        ("alcohol", "float"),
        ("malic_acid", "float"),
        ("flag", "boolean"),
        ("class", "integer"),
        ("note", "text"),
    )
    assert facts.row_count == 3
    assert stored_file_facts(store, cid, tmp_path / "work") == facts


def test_a_multi_chunk_csv_is_addressed_as_the_store_does(
    store: LocalContentStore, tmp_path: Path
) -> None:
    rows = "".join(f"{i},{i * 0.5},row {i}\n" for i in range(60_000))
    data = ("id,value,label\n" + rows).encode()
    assert len(data) > 3 * CHUNK_SIZE
    path = tmp_path / "big.csv"
    cid = _stored(store, path, data)
    facts = file_facts(path, cid)
    assert facts.cid == cid and facts.row_count == 60_000
    assert facts.columns == (("id", "integer"), ("value", "float"), ("label", "text"))
    assert stored_file_facts(store, cid, tmp_path / "work") == facts  # streamed, not copied
    assert not (tmp_path / "work").exists()


def test_stored_facts_are_read_verified(store: LocalContentStore, tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    cid = _stored(store, path, CSV)
    stored = store.root / cid[:10] / cid
    stored.write_bytes(CSV.replace(b"14.23", b"99.99"))
    with pytest.raises(ContentError, match="does not match its CID"):
        stored_file_facts(store, cid, tmp_path / "work")


def test_parquet_facts_come_from_the_footer(store: LocalContentStore, tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    table = pa.table(
        {"pixel": pa.array([1, 2, 3], pa.int64()), "x": [0.5, 1.5, 2.5], "label": ["a", "b", "c"]}
    )
    pq.write_table(table, path)
    cid = store.put_path(path).cid
    facts = file_facts(path, cid)
    assert stored_file_facts(store, cid, tmp_path / "work") == facts
    assert facts.encoding_format == PARQUET_FORMAT
    assert facts.columns == (("pixel", "integer"), ("x", "float"), ("label", "text"))
    assert facts.row_count == 3


def test_a_parquet_schema_naming_a_column_twice_is_refused(
    store: LocalContentStore, tmp_path: Path
) -> None:
    path = tmp_path / "twice.parquet"
    pq.write_table(pa.Table.from_arrays([pa.array([1]), pa.array([2])], names=["a", "a"]), path)
    with pytest.raises(ContentError, match="names a column twice"):
        file_facts(path, store.put_path(path).cid)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"PAR1 this is not parquet at all", "cannot be read as Parquet"),
        (b"a,b\n1,2\n3\n", "row 2 has 1 fields; the header has 2"),
        (b"a,a\n1,2\n", "names a column twice"),
        (b"a,b\n" + b"1,2\n" * 20_000 + b"\xff\xfe,3\n", "not all UTF-8 text"),
    ],
    ids=["empty", "broken-parquet", "ragged", "duplicate-column", "bad-utf8"],
)
def test_wrong_files_are_refused_clearly(
    store: LocalContentStore, tmp_path: Path, data: bytes, message: str
) -> None:
    path = tmp_path / "f"
    cid = _stored(store, path, data)
    with pytest.raises(ContentError, match=message):
        file_facts(path, cid)


def test_a_file_that_is_not_the_cid_is_refused(store: LocalContentStore, tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    cid = _stored(store, path, CSV)
    path.write_bytes(CSV + b"1,2,true,3,tampered\n")
    with pytest.raises(ContentError, match="is not the one named"):
        file_facts(path, cid)
    with pytest.raises(ContentError, match="larger than the 10 bytes"):
        file_facts(path, cid, max_bytes=10)


def test_other_files_have_no_columns(store: LocalContentStore, tmp_path: Path) -> None:
    path = tmp_path / "f"
    text = file_facts(path, _stored(store, path, b"just one line of prose\nand another\n"))
    assert (text.encoding_format, text.columns, text.row_count) == (TEXT_FORMAT, (), None)
    binary = file_facts(path, _stored(store, path, b"\x89PNG\r\n\x1a\n\x00\x00"))
    assert (binary.encoding_format, binary.columns) == (BINARY_FORMAT, ())


def test_required_fields_and_limits() -> None:
    assert card_problems(FORM) == {}
    empty = card_problems(CardForm())
    assert set(REQUIRED_FIELDS) <= set(empty)
    assert empty["biases_limitations"] == "Known biases and limitations is required."
    too_long = replace(FORM, purpose="x" * (TEXT_LIMITS["purpose"] + 1))
    assert "at most 4,000" in card_problems(too_long)["purpose"]
    assert "control characters" in card_problems(replace(FORM, name="a\x00b"))["name"]
    assert "one line" in card_problems(replace(FORM, name="a\nb"))["name"]
    assert "SPDX" in card_problems(replace(FORM, license="my license"))["license"]
    assert "semantic version" in card_problems(replace(FORM, version="v1"))["version"]
    assert "At most 32" in card_problems(replace(FORM, keywords=("k",) * 33))["keywords"]


def test_a_form_from_a_browser_keeps_strings_only() -> None:
    form = CardForm.from_mapping(
        {"name": "  Wine ", "license": 7, "keywords": "wine, chemistry,, wine", "junk": "x"}
    )
    assert form.name == "Wine" and form.license == "" and form.keywords == ("wine", "chemistry")
    assert "license" in card_problems(form)


def _facts(store: LocalContentStore, tmp_path: Path) -> FileFacts:
    path = tmp_path / "wine.csv"
    return file_facts(path, _stored(store, path, CSV))


def test_croissant_validates_with_mlcroissant(
    store: LocalContentStore, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    facts = _facts(store, tmp_path)
    context = CardContext(
        dataset_id=5,
        data_url=f"ipfs://{facts.cid}",
        parents=(2, 1),
        transformation="split",
        transformation_note="80/20 split, seed 0",
        site_url="https://coop.example",
    )
    document = build_croissant(FORM, facts, context)
    with caplog.at_level(logging.WARNING):
        dataset = mlcroissant.Dataset(jsonld=json.loads(canonical_json(document)))
    metadata = dataset.metadata
    assert "not standard" not in caplog.text  # our @context is Croissant's
    assert metadata.name == FORM.name
    assert metadata.license == ["https://spdx.org/licenses/CC-BY-4.0.html"]
    (file_object,) = metadata.distribution
    assert file_object.sha256 == facts.sha256_hex
    assert file_object.encoding_formats == [CSV_FORMAT]
    assert file_object.content_size == f"{facts.size_bytes} B"
    (record_set,) = metadata.record_sets
    assert [f.name for f in record_set.fields] == [name for name, _ in facts.columns]
    assert document["rai:dataCollection"] == FORM.collection_method
    assert document["rai:dataLimitations"] == FORM.biases_limitations
    assert document["prov:wasDerivedFrom"] == [
        {"@id": "https://coop.example/datasets/1"},
        {"@id": "https://coop.example/datasets/2"},
    ]


def test_a_card_reads_back_as_written(store: LocalContentStore, tmp_path: Path) -> None:
    facts = _facts(store, tmp_path)
    context = CardContext(
        dataset_id=None,
        data_url=f"ipfs://{facts.cid}",
        parents=(3,),
        transformation="normalization",
        transformation_note="z-scores",
    )
    card_cid = store.put(croissant_bytes(FORM, facts, context))
    card = read_card(store, card_cid)
    assert card.form == FORM and card.facts == facts and card.dataset_id is None
    assert (card.lineage.parents, card.lineage.transformation) == ((3,), "normalization")
    assert card.lineage.transformation_note == "z-scores"
    # The same card, the same bytes, the same CID.
    assert store.put(croissant_bytes(FORM, facts, context)) == card_cid


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xfe",
        b"[1, 2]",
        b'{"name": "no file"}',
        b"[" * 100_000,
        json.dumps({"distribution": [{"contentSize": "9" * 50}], "name": 7}).encode(),
    ],
    ids=["not-utf8", "not-object", "no-distribution", "deep", "wrong-types"],
)
def test_hostile_cards_are_refused_or_cleaned(data: bytes) -> None:
    try:
        card = parse_card(data)
    except ContentError:
        return
    assert card.form.name == "" and card.facts.size_bytes < 2**63


def test_hostile_card_texts_are_cleaned_and_clipped() -> None:
    document = {
        "name": "x\x00" * 10_000,
        "keywords": ["ok", 5, "a\x07b"],
        "distribution": [{"encodingFormat": "text/csv", "contentSize": "12 B"}],
        "recordSet": [{"field": [{"name": "c\x00", "dataType": "sc:Integer"}, "junk"]}],
        "prov:wasDerivedFrom": [{"@id": "/datasets/9"}, {"@id": "/datasets/x"}, 3],
        "prov:wasGeneratedBy": {"name": "made-up", "description": 5},
    }
    card = parse_card(json.dumps(document).encode())
    assert "\x00" not in card.form.name and len(card.form.name) == TEXT_LIMITS["name"]
    assert card.form.keywords == ("ok", "a\ufffdb")
    assert card.facts.columns == (("c\ufffd", "integer"),) and card.facts.size_bytes == 12
    assert card.lineage.parents == (9,) and card.lineage.transformation == "other"


def test_an_oversized_card_is_not_read(store: LocalContentStore) -> None:
    cid = store.put(b" " * (MAX_CARD_BYTES + 1))
    with pytest.raises(ContentError, match="at most"):
        read_card(store, cid)
