"""Exports: Hugging Face README.md (its YAML header read by a YAML parser, whatever the
card says) and W3C PROV-JSON (re-read with the prov library and compared)."""

from __future__ import annotations

import yaml
from prov.model import ProvDocument

from coop_dashboard.services.datasets.cards import CardContext, CardForm, FileFacts
from coop_dashboard.services.datasets.exports import (
    ProvEdge,
    ProvNode,
    hugging_face_card_md,
    prov_document,
    prov_json,
)

FACTS = FileFacts(
    cid="bafkreib7ofopshenxern6odwdmz4qel6mezacs3gpqlgowtfctp5mqnzki",
    sha256_hex="3f" * 32,
    size_bytes=20_480,
    encoding_format="text/csv",
    columns=(("pixel|0", "integer"), ("target", "integer")),
    row_count=1_797,
)
CONTEXT = CardContext(
    dataset_id=4,
    data_url=f"ipfs://{FACTS.cid}",
    parents=(1,),
    transformation="normalization",
    transformation_note="Pixels scaled to [0, 1].",
    site_url="https://coop.example",
    contributor="0xabc",
)


def _front_matter(markdown: str) -> dict[str, object]:
    assert markdown.startswith("---\n")
    header, _, _ = markdown[4:].partition("\n---\n")
    loaded = yaml.safe_load(header)
    assert isinstance(loaded, dict)
    return loaded


def test_card_md_has_a_yaml_header_and_the_hub_template_sections() -> None:
    form = CardForm(
        name="Digits",
        description="8x8 images of handwritten digits.",
        license="CC-BY-4.0",
        purpose="p",
        collection_method="c",
        biases_limitations="Forty-three writers only.",
        out_of_scope_uses="Identifying writers.",
        keywords=("vision", "digits"),
    )
    markdown = hugging_face_card_md(form, FACTS, CONTEXT)
    header = _front_matter(markdown)
    assert header == {
        "pretty_name": "Digits",
        "license": "cc-by-4.0",
        "tags": ["vision", "digits"],
        "size_categories": ["1K<n<10K"],
        "version": "1.0.0",
    }
    for section in (
        "# Dataset Card for Digits",
        "## Dataset Details",
        "## Uses",
        "### Out-of-Scope Use\n\nIdentifying writers.",
        "## Dataset Structure",
        "## Dataset Creation",
        "## Bias, Risks, and Limitations\n\nForty-three writers only.",
        "## Dataset Card Contact",
    ):
        assert section in markdown
    assert "| pixel\\|0 | integer |" in markdown  # a column name cannot break the table
    assert "[#1](https://coop.example/datasets/1)" in markdown


def test_hostile_texts_cannot_add_header_keys() -> None:
    form = CardForm(
        name='x"\nlicense: mit\n---\n# owned',
        license="MIT",
        keywords=("a: b", "- c", "'\"\\", "\u2028"),
    )
    header = _front_matter(hugging_face_card_md(form, FACTS, CONTEXT))
    assert header["pretty_name"] == form.name
    assert header["license"] == "mit"
    assert header["tags"] == list(form.keywords)
    assert set(header) == {"pretty_name", "license", "tags", "size_categories", "version"}


def test_prov_json_reads_back_equal_with_every_relation() -> None:
    nodes = [
        ProvNode(1, "digits", "active", "source", "0xAAA"),
        ProvNode(2, "digits, normalised", "active", "normalization", "0xbbb"),
        ProvNode(3, "digits, augmented", "delisted", "augmentation", "0xaaa"),
        ProvNode(4, "merged", "active", "merge", None),
    ]
    edges = [
        ProvEdge(1, 2, "normalization"),
        ProvEdge(2, 3, "augmentation"),
        ProvEdge(1, 4, "merge"),
        ProvEdge(3, 4, "merge"),
        ProvEdge(9, 4, "merge"),  # a node outside the graph: left out
    ]
    text = prov_json(nodes, edges, "https://coop.example")
    reread = ProvDocument.deserialize(content=text, format="json")
    assert reread == prov_document(nodes, edges, "https://coop.example")

    records = {type(r).__name__: 0 for r in reread.get_records()}
    for record in reread.get_records():
        records[type(record).__name__] += 1
    assert records["ProvEntity"] == 4
    assert records["ProvActivity"] == 3  # the source dataset was not made from anything
    assert records["ProvAgent"] == 2  # one per contributor, addresses compared lowercase
    assert records["ProvDerivation"] == 4
    assert records["ProvUsage"] == 4
    assert records["ProvGeneration"] == 3
    assert records["ProvAttribution"] == 3
    derived = set()
    for record in reread.get_records():
        if type(record).__name__ == "ProvDerivation":
            attributes = {str(key): str(value) for key, value in record.formal_attributes}
            derived.add((attributes["prov:generatedEntity"], attributes["prov:usedEntity"]))
    assert derived == {
        ("coop:dataset-2", "coop:dataset-1"),
        ("coop:dataset-3", "coop:dataset-2"),
        ("coop:dataset-4", "coop:dataset-1"),
        ("coop:dataset-4", "coop:dataset-3"),
    }
