"""The dataset pages' view models: catalog controls from any client, display rows, the card
and notes read verified from a real content store, attestation and upload refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from coop_dashboard.config import load_settings
from coop_dashboard.content.cid import cid_for_bytes
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.db.dataset_queries import MAX_TAG_FILTERS, DatasetSummary
from coop_dashboard.services.datasets.attest import (
    MAX_ATTESTATION_NOTE_CHARS,
    AttestationRefused,
    attestation_input,
)
from coop_dashboard.services.datasets.cards import CardForm
from coop_dashboard.services.datasets.catalog_view import (
    CatalogInputError,
    CatalogKey,
    catalog_card,
    changed_key,
)
from coop_dashboard.services.datasets.page_view import (
    card_markdown,
    export_links,
    read_text_blob,
)
from coop_dashboard.services.datasets.register_view import (
    ParentOption,
    bond_problem,
    parse_bond,
    register_preview,
)
from coop_dashboard.services.datasets.upload import DatasetUpload, UploadRefused


def _summary(**changes: object) -> DatasetSummary:
    values: dict[str, object] = {
        "dataset_id": 7,
        "name": "Wine",
        "description": "d" * 500,
        "license": "CC-BY-4.0",
        "modality": "tabular",
        "tags": ["wine", "uci"],
        "status": "delisted",
        "owner": "0x" + "ab" * 20,
        "transformation": "source",
        "parent_count": 0,
        "use_count": 1,
        "attestation_count": 2,
        "quality": 87.5,
        "curator_verified": True,
        "bond": 10**17,
        "registered_at": 1_700_000_000,
        "card_cid": "b",
        "data_cid": "c",
    }
    values.update(changes)
    return DatasetSummary(**values)  # type: ignore[arg-type]


def test_catalog_controls_take_only_known_values_and_go_back_to_page_one() -> None:
    key = changed_key(CatalogKey(page=3), "sort", "quality")
    assert (key.sort, key.page) == ("quality", 1)
    key = changed_key(key, "page", 2)
    assert key.page == 2
    key = changed_key(key, "tag", "wine")
    assert (key.tags, key.page) == (("wine",), 1)
    assert changed_key(key, "tag", "wine").tags == ()  # toggled off
    assert changed_key(key, "status", "delisted").query().statuses == ("delisted",)
    assert changed_key(key, "verified", "yes").query().curator_verified is True
    for control, value in (
        ("sort", "'; DROP TABLE dataset_state"),
        ("status", "<script>"),
        ("verified", True),
        ("page", 0),
        ("page", True),
        ("page", "2"),
        ("search", "x" * 100_000),
        ("search", ["a"]),
        ("modality", {"$ne": 1}),
        ("nonsense", "x"),
    ):
        with pytest.raises(CatalogInputError):
            changed_key(key, control, value)
    many = CatalogKey(tags=tuple(f"t{i}" for i in range(MAX_TAG_FILTERS)))
    with pytest.raises(CatalogInputError):
        changed_key(many, "tag", "one-more")


def test_a_catalog_card_says_status_quality_and_use_in_words() -> None:
    card = catalog_card(_summary())
    assert card.link == "/datasets/7"
    assert (card.status_label, card.status_scheme) == ("Delisted", "red")
    assert card.quality == "88 / 100"
    assert card.used == "1 use"
    assert len(card.description) <= 220 and card.description.endswith("…")
    assert card.owner_short == "0xabab…abab"
    unnamed = catalog_card(_summary(name=None, quality=None, use_count=3, status="active"))
    assert (unnamed.name, unnamed.quality, unnamed.used) == ("Dataset #7", "not rated", "3 uses")


def test_the_card_markdown_has_a_section_per_field_given() -> None:
    form = CardForm(
        name="Wine",
        description="Chemical analysis",
        purpose="Teaching",
        biases_limitations="Small",
        keywords=("wine", "uci"),
    )
    text = card_markdown(form)
    assert "### Description\n\nChemical analysis" in text
    assert "### Known biases and limitations\n\nSmall" in text
    assert "### Keywords\n\nwine, uci" in text
    assert "Annotation" not in text  # not given: no empty section


def test_a_card_preview_is_sanitised_and_draws_the_new_node_under_its_parents() -> None:
    form = CardForm(name="Mine", description="<script>alert(1)</script> [x](javascript:alert(1))")
    parents = [ParentOption(1, "raw", "active"), ParentOption(2, "old", "superseded")]
    preview = register_preview(form, parents, "merge")
    assert "<script>" not in preview.card_html and "href" not in preview.card_html
    assert "&lt;script&gt;" in preview.card_html  # shown as text
    assert list(preview.graph.data[1].text) == ["merge", "merge"]
    assert preview.targets[0] == ["/datasets/1", "/datasets/2", ""]


def test_notes_are_read_verified_and_a_mismatch_is_never_shown(tmp_path: Path) -> None:
    store = LocalContentStore(tmp_path)
    cid = store.put(b"Checked the labels by hand.")
    assert read_text_blob(store, cid) == "Checked the labels by hand."
    assert "not in this app's content store" in read_text_blob(store, cid_for_bytes(b"other"))
    assert read_text_blob(store, "javascript:alert(1)") == "(not a content address)"
    assert read_text_blob(store, "") == ""
    stored = next(path for path in tmp_path.rglob("*") if path.is_file() and cid in path.name)
    stored.write_bytes(b"Tampered with on disk!!!!!!")
    shown = read_text_blob(store, cid)
    assert shown.startswith("(unreadable:") and "Tampered" not in shown


def test_a_stored_nul_or_invalid_utf8_note_is_shown_replaced(tmp_path: Path) -> None:
    store = LocalContentStore(tmp_path)
    cid = store.put(b"ok\x00\xff")
    assert read_text_blob(store, cid) == "ok\ufffd\ufffd"


def test_export_links_name_every_format() -> None:
    links = export_links(5, "bafkdata")
    assert [link.url for link in links] == [
        "/api/datasets/5/croissant",
        "/api/datasets/5/card.md",
        "/api/datasets/5/prov",
        "/api/datasets/5/car",
        "/ipfs/bafkdata",
    ]


def test_attestation_input_from_any_client() -> None:
    assert attestation_input("87", " fine ") == attestation_input(87, "fine")
    for score in (-1, 101, 1.5, True, "abc", "1000", None, [50]):
        with pytest.raises(AttestationRefused):
            attestation_input(score, "")
    with pytest.raises(AttestationRefused):
        attestation_input(50, "x" * (MAX_ATTESTATION_NOTE_CHARS + 1))
    with pytest.raises(AttestationRefused):
        attestation_input(50, {"note": 1})
    with pytest.raises(AttestationRefused):
        attestation_input(50, "nul\x00")


def test_bond_text_is_exact_eth() -> None:
    assert parse_bond("0.1") == 10**17
    assert bond_problem("0.1") == ""
    assert bond_problem("abc") != "" and bond_problem("") != ""


@pytest.fixture
def upload_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COOP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATASET_MAX_BYTES", "1000")
    return load_settings()


def _blobs(settings) -> list[Path]:  # type: ignore[no-untyped-def]
    root = settings.content_dir
    return [p for p in root.rglob("*") if p.is_file() and "tmp" not in p.parts]


def test_an_upload_is_streamed_into_the_store_with_its_facts(upload_settings) -> None:  # type: ignore[no-untyped-def]
    upload = DatasetUpload(upload_settings)
    upload.add("wine.csv", b"a,b\n1,2\n")
    upload.add("wine.csv", b"3,4\n")
    uploaded = upload.finish()
    data = b"a,b\n1,2\n3,4\n"
    assert uploaded.facts.cid == cid_for_bytes(data)
    assert uploaded.facts.row_count == 2 and uploaded.facts.size_bytes == len(data)
    assert LocalContentStore(upload_settings.content_dir).get(uploaded.facts.cid) == data
    # Noted for collection should it never be registered.
    ledger = upload_settings.data_dir / "dataset-uploads"
    assert (ledger / f"{uploaded.facts.cid}.upload").exists()


def test_refused_uploads_leave_nothing_stored(upload_settings) -> None:  # type: ignore[no-untyped-def]
    empty = DatasetUpload(upload_settings)
    empty.add("empty.csv", b"")
    with pytest.raises(UploadRefused, match="empty"):
        empty.finish()
    too_big = DatasetUpload(upload_settings)
    too_big.add("big.bin", b"x" * 600)
    with pytest.raises(UploadRefused, match="larger than"):
        too_big.add("big.bin", b"x" * 600)
    two = DatasetUpload(upload_settings)
    two.add("one.csv", b"a\n1\n")
    with pytest.raises(UploadRefused, match="one file"):
        two.add("two.csv", b"a\n2\n")
    nothing = DatasetUpload(upload_settings)
    with pytest.raises(UploadRefused, match="No bytes arrived"):
        nothing.finish()
    assert _blobs(upload_settings) == []
    leftovers = list((upload_settings.content_dir / "tmp").glob("*"))
    assert leftovers == []


def test_a_note_named_with_an_ipfs_scheme_is_read_too(tmp_path: Path) -> None:
    store = LocalContentStore(tmp_path)
    cid = store.put(b"Consent records missing.")
    assert read_text_blob(store, f"ipfs://{cid}") == "Consent records missing."
