"""The demo cooperative's datasets: real public data, real transformations, true cards.

Three raw datasets as scikit-learn ships them (the UCI digits, wine and breast
cancer sets), and children made from them here with numpy: normalised, merged
and deduplicated, split into train and test, augmented with noise and with
mirror images. Each is written as CSV into the content store with its
Croissant card (file facts computed from the bytes) and, for derived ones, a
note saying exactly what was done; chain/seed_datasets.py registers them.
Deterministic: fixed random seeds, fixed number formatting, so the CIDs are
the same on every machine (given the same scikit-learn data files).
"""

from __future__ import annotations

import gzip
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import numpy as np

from coop_dashboard.chain.seed_datasets import DemoDataset
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.errors import ContentError
from coop_dashboard.services.datasets.cards import (
    CardContext,
    CardForm,
    FileFacts,
    croissant_bytes,
    file_facts,
)

_SEED = 0
_UCI_DIGITS = "https://archive.ics.uci.edu/dataset/80"
_UCI_WINE = "https://archive.ics.uci.edu/dataset/109"
_UCI_CANCER = "https://archive.ics.uci.edu/dataset/17"
_MAINTENANCE = (
    "Frozen copy maintained by the cooperative's data working group; a correction "
    "is published as a new version that supersedes this one."
)


# The data files scikit-learn ships in sklearn/datasets/data (what load_digits,
# load_wine and load_breast_cancer read), read straight from the package: importing
# sklearn.datasets would take seconds (scipy) on every seed.
_WINE_FEATURES = (
    "alcohol",
    "malic_acid",
    "ash",
    "alcalinity_of_ash",
    "magnesium",
    "total_phenols",
    "flavanoids",
    "nonflavanoid_phenols",
    "proanthocyanins",
    "color_intensity",
    "hue",
    "od280_od315_of_diluted_wines",
    "proline",
)
_NUCLEUS_MEASURES = (
    "radius",
    "texture",
    "perimeter",
    "area",
    "smoothness",
    "compactness",
    "concavity",
    "concave points",
    "symmetry",
    "fractal dimension",
)
_CANCER_FEATURES = tuple(
    name.replace(" ", "_")
    for name in (
        *(f"mean {m}" for m in _NUCLEUS_MEASURES),
        *(f"{m} error" for m in _NUCLEUS_MEASURES),
        *(f"worst {m}" for m in _NUCLEUS_MEASURES),
    )
)
_DIAGNOSES = ("malignant", "benign")  # target 0, 1


def sklearn_data_file(name: str) -> Path:
    """A data file of scikit-learn's bundled datasets (found without importing sklearn)."""
    spec = find_spec("sklearn")
    if spec is None or spec.origin is None:
        raise ContentError("scikit-learn is not installed: the demo datasets come from it.")
    return Path(spec.origin).parent / "datasets" / "data" / name


@dataclass(frozen=True)
class _Table:
    columns: list[str]
    rows: np.ndarray[Any, Any]
    formats: list[str]  # printf-style, one per column ("%d", "%.6g", "%s")

    def csv(self) -> bytes:
        row_format = ",".join(self.formats)
        lines = [",".join(self.columns), *(row_format % tuple(r) for r in self.rows.tolist())]
        return ("\n".join(lines) + "\n").encode()


def _bundled_table(name: str) -> np.ndarray[Any, Any]:
    # wine_data.csv and breast_cancer.csv start with a line of counts and class names.
    with sklearn_data_file(name).open() as text:
        return np.loadtxt(text, delimiter=",", skiprows=1)


def _digits() -> _Table:
    with gzip.open(sklearn_data_file("digits.csv.gz"), "rt") as text:
        rows = np.loadtxt(text, delimiter=",").astype(np.int64)
    columns = [f"pixel_{row}_{col}" for row in range(8) for col in range(8)] + ["digit"]
    return _Table(columns, rows, ["%d"] * len(columns))


def _wine() -> _Table:
    rows = _bundled_table("wine_data.csv")
    return _Table([*_WINE_FEATURES, "cultivar"], rows, ["%.6g"] * len(_WINE_FEATURES) + ["%d"])


def _breast_cancer(with_diagnosis: bool) -> _Table:
    rows: np.ndarray[Any, Any] = _bundled_table("breast_cancer.csv").astype(object)
    columns = [*_CANCER_FEATURES, "target"]
    formats = ["%.6g"] * len(_CANCER_FEATURES) + ["%d"]
    if with_diagnosis:
        names = np.array([_DIAGNOSES[int(t)] for t in rows[:, -1]], dtype=object)
        rows = np.column_stack([rows, names])
        columns.append("diagnosis")
        formats.append("%s")
    return _Table(columns, rows, formats)


def _standardised(table: _Table) -> _Table:
    """z-scores per feature (population standard deviation); the label column kept."""
    features = table.rows[:, :-1].astype(float)
    scaled = (features - features.mean(axis=0)) / features.std(axis=0)
    rows = np.column_stack([scaled, table.rows[:, -1]])
    return replace(table, rows=rows, formats=["%.6f"] * (len(table.columns) - 1) + ["%d"])


def _min_max(table: _Table, label_columns: int) -> _Table:
    """Each feature scaled to [0, 1] over the set; the label columns kept."""
    features = table.rows[:, :-label_columns].astype(float)
    low, high = features.min(axis=0), features.max(axis=0)
    scaled = (features - low) / (high - low)
    rows = np.column_stack([scaled.astype(object), table.rows[:, -label_columns:]])
    formats = ["%.6f"] * scaled.shape[1] + table.formats[-label_columns:]
    return replace(table, rows=rows, formats=formats)


def _split(table: _Table, test_share: float) -> tuple[_Table, _Table]:
    """A stratified split: per label, a seeded shuffle, the first share to test."""
    rng = np.random.default_rng(_SEED)
    labels = table.rows[:, -1].astype(int)
    test: list[int] = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        rng.shuffle(members)
        test.extend(members[: round(len(members) * test_share)].tolist())
    chosen = np.zeros(len(labels), dtype=bool)
    chosen[test] = True
    return replace(table, rows=table.rows[~chosen]), replace(table, rows=table.rows[chosen])


def _with_noise(table: _Table) -> _Table:
    """Each image, then a copy with Gaussian noise (sigma 1 intensity level), clipped."""
    rng = np.random.default_rng(_SEED)
    pixels = table.rows[:, :-1]
    noisy = np.clip(np.rint(pixels + rng.normal(0.0, 1.0, pixels.shape)), 0, 16)
    copies = np.column_stack([noisy, table.rows[:, -1]]).astype(np.int64)
    return replace(table, rows=np.concatenate([table.rows, copies]))


def _with_mirrors(table: _Table) -> _Table:
    """Each image, then its left-right mirror image with the same label."""
    images = table.rows[:, :-1].reshape(-1, 8, 8)
    mirrored = images[:, :, ::-1].reshape(len(images), 64)
    copies = np.column_stack([mirrored, table.rows[:, -1]])
    return replace(table, rows=np.concatenate([table.rows, copies]))


def _union_deduplicated(first: _Table, second: _Table) -> tuple[_Table, int]:
    """Rows of both, each distinct row once, sorted (label, then pixels); and how many went."""
    both = np.concatenate([first.rows, second.rows])
    unique = np.unique(both, axis=0)
    order = np.lexsort([*unique[:, :-1].T[::-1], unique[:, -1]])
    return replace(first, rows=unique[order]), len(both) - len(unique)


_DIGITS_FORM = CardForm(
    name="Handwritten digits (UCI, 8x8)",
    description=(
        "1,797 images of handwritten digits 0-9, each 8x8 pixels with intensities "
        "0-16, and its digit. The test set of the UCI 'Optical Recognition of "
        "Handwritten Digits' data as scikit-learn ships it (load_digits)."
    ),
    license="CC-BY-4.0",
    purpose="A small, well-known benchmark for image classifiers and for testing pipelines.",
    collection_method=(
        "Digits written on preprinted forms by 43 people (13 of them for this set), "
        "scanned, and reduced with NIST's preprocessing programs: 32x32 bitmaps "
        "divided into 4x4 blocks, counting the on pixels in each block."
    ),
    collection_timeframe="Published July 1998 (E. Alpaydin, C. Kaynak)",
    preprocessing=(
        f"None by the cooperative; the values as load_digits returns them ({_UCI_DIGITS})."
    ),
    annotation="Each image's digit is the one the writer was asked to write on the form.",
    biases_limitations=(
        "Only 13 writers: their handwriting styles are all the set knows. 8x8 "
        "resolution loses detail; classes are roughly balanced (~180 per digit)."
    ),
    personal_sensitive_info="None: anonymous digit images; writers are not identified.",
    intended_uses="Teaching, benchmarking small classifiers, testing data pipelines.",
    out_of_scope_uses="Identifying writers; production handwriting recognition.",
    maintenance=_MAINTENANCE,
    keywords=("images", "handwriting", "digits", "classification"),
    version="1.0.0",
)
_WINE_FORM = CardForm(
    name="Wine recognition (UCI)",
    description=(
        "Chemical analysis of 178 wines grown in the same region of Italy from "
        "three cultivars: 13 measurements each (alcohol, malic acid, ... proline) "
        "and the cultivar (0, 1, 2). As scikit-learn ships it (load_wine)."
    ),
    license="CC-BY-4.0",
    purpose="A small multi-class benchmark for tabular classifiers.",
    collection_method=(
        f"Laboratory measurements by M. Forina et al. (PARVUS), donated to the UCI "
        f"Machine Learning Repository in 1991 ({_UCI_WINE})."
    ),
    collection_timeframe="Donated July 1991",
    preprocessing="None by the cooperative; the values as load_wine returns them.",
    annotation="The cultivar of each wine is known from its origin, not judged by annotators.",
    biases_limitations=(
        "178 wines, one region, three cultivars (59/71/48): far too small and narrow "
        "to say anything about wine in general. The original data had more "
        "measurements; only 13 were kept."
    ),
    personal_sensitive_info="None: measurements of wine.",
    intended_uses="Teaching and testing tabular classifiers and preprocessing steps.",
    out_of_scope_uses="Judging wine quality, price or authenticity.",
    maintenance=_MAINTENANCE,
    keywords=("tabular", "chemistry", "wine", "classification"),
    version="1.0.0",
)
_CANCER_FORM = CardForm(
    name="Breast cancer Wisconsin (diagnostic)",
    description=(
        "569 breast masses, each described by 30 features computed from a digitised "
        "image of a fine needle aspirate (mean, standard error and worst of ten "
        "cell-nucleus measurements), with the diagnosis: target 0 = malignant (212), "
        "1 = benign (357). As scikit-learn ships it (load_breast_cancer)."
    ),
    license="CC-BY-4.0",
    purpose="A binary classification benchmark for tabular models.",
    collection_method=(
        "Images of fine needle aspirates of breast masses at the University of "
        "Wisconsin Hospitals, measured with the Xcyt image analysis program "
        f"(W. Street, W. Wolberg, O. Mangasarian; {_UCI_CANCER})."
    ),
    collection_timeframe="Donated November 1995",
    preprocessing="None by the cooperative; the values as load_breast_cancer returns them.",
    annotation="Diagnoses confirmed by the clinic (benign or malignant).",
    biases_limitations=(
        "One hospital's patients in the early 1990s; 569 cases. Not a screening "
        "population: the class balance (37% malignant) is far from any real one. "
        "Features describe cell nuclei only."
    ),
    personal_sensitive_info=(
        "Derived from patients' medical images; no identifiers are in the data, but "
        "it is health data: do not try to link it to people."
    ),
    intended_uses="Teaching and benchmarking classifiers; research on model evaluation.",
    out_of_scope_uses="Diagnosing anyone; any clinical decision.",
    maintenance=_MAINTENANCE,
    keywords=("tabular", "medical", "classification"),
    version="1.0.0",
)


@dataclass(frozen=True)
class _Spec:
    key: str
    owner: int
    table: _Table
    form: CardForm
    modality: str
    tags: tuple[str, ...]
    parents: tuple[str, ...] = ()
    transformation: str = "source"
    note: str = ""
    supersedes: str = ""
    attestations: tuple[tuple[int, int, str], ...] = ()
    delist_reason: str = ""


# Owners (seed.MEMBERS): Dana Reyes, Farid Haddad and Kavya Iyer contribute the raw
# sets; Hiro Tanaka's data-cleaning working group makes the derived ones.
_DANA, _FARID, _KAVYA, _HIRO = 3, 5, 10, 7
_INES, _CHEN = 0, 1  # chain.seed_datasets.CURATORS indexes


def _derived(base: CardForm, name: str, description: str, preprocessing: str) -> CardForm:
    return replace(
        base,
        name=name,
        description=f"{description} Derived from: {base.name}.",
        preprocessing=preprocessing,
        version="1.0.0",
    )


def _specs() -> list[_Spec]:
    digits, wine = _digits(), _wine()
    cancer_v1, cancer_v2 = _breast_cancer(False), _breast_cancer(True)
    noisy, mirrored = _with_noise(digits), _with_mirrors(digits)
    merged, dropped = _union_deduplicated(digits, noisy)
    wine_scaled = _standardised(wine)
    wine_train, wine_test = _split(wine_scaled, 0.2)
    cancer_scaled = _min_max(cancer_v2, 2)
    noise_note = (
        "Each image kept, plus one copy with Gaussian noise (sigma 1 intensity level, "
        "numpy default_rng(0)) added to every pixel, rounded and clipped to 0-16; same label."
    )
    mirror_note = "Each image kept, plus its left-right mirror image with the same label."
    rows_in = len(digits.rows) + len(noisy.rows)
    merge_note = (
        f"Union of the raw digits and the noise-augmented digits ({rows_in:,} "
        f"rows); the {dropped:,} exact duplicates (every original is in both) kept once; "
        f"sorted by digit, then pixels: {len(merged.rows):,} rows."
    )
    scale_note = (
        "Each of the 13 measurements standardised to z-scores over the 178 wines "
        "(population standard deviation); the cultivar kept."
    )
    split_note = (
        "Stratified split of the standardised set: per cultivar, a seeded shuffle "
        "(numpy default_rng(0)) puts 20% in test and the rest in train."
    )
    cancer_note = "Each of the 30 features scaled to [0, 1] (min-max over the 569 cases)."
    return [
        _Spec(
            "digits",
            _DANA,
            digits,
            _DIGITS_FORM,
            "image",
            ("images", "digits"),
            attestations=(
                (_INES, 92, "Checked against the UCI original: identical."),
                (_CHEN, 88, "Clean; small and old, fine for teaching."),
            ),
        ),
        _Spec(
            "wine",
            _FARID,
            wine,
            _WINE_FORM,
            "tabular",
            ("tabular", "chemistry"),
            attestations=((_CHEN, 85, "Matches the UCI file; tiny but well documented."),),
        ),
        _Spec("cancer", _KAVYA, cancer_v1, _CANCER_FORM, "tabular", ("tabular", "medical")),
        _Spec(
            "cancer-v2",
            _KAVYA,
            cancer_v2,
            replace(
                _CANCER_FORM,
                version="1.1.0",
                description=_CANCER_FORM.description
                + " Version 1.1.0 adds the diagnosis as text (malignant / benign).",
            ),
            "tabular",
            ("tabular", "medical"),
            supersedes="cancer",
            attestations=(
                (_INES, 90, "The diagnosis column agrees with target."),
                (_CHEN, 87, "Good card; the health-data warning matters."),
            ),
        ),
        _Spec(
            "digits-noise",
            _HIRO,
            noisy,
            _derived(
                _DIGITS_FORM,
                "Handwritten digits, noise-augmented",
                "The 1,797 digit images and a noisy copy of each (3,594 rows).",
                noise_note,
            ),
            "image",
            ("images", "digits", "augmented"),
            ("digits",),
            "augmentation",
            noise_note,
        ),
        _Spec(
            "digits-mirrored",
            _HIRO,
            mirrored,
            _derived(
                _DIGITS_FORM,
                "Handwritten digits, mirror-augmented",
                "The 1,797 digit images and a left-right mirror image of each.",
                mirror_note,
            ),
            "image",
            ("images", "digits", "augmented"),
            ("digits",),
            "augmentation",
            mirror_note,
            delist_reason=(
                "# Delisted: mirrored digits carry wrong labels\n\n"
                "A mirrored 2, 3, 4, 5, 6, 7 or 9 is not that digit as anyone writes it, "
                "yet the copies keep the original label: a model trained on this set "
                "learns wrong labels. Flips are not a label-preserving augmentation "
                "for digits.\n"
            ),
        ),
        _Spec(
            "digits-dedup",
            _HIRO,
            merged,
            _derived(
                _DIGITS_FORM,
                "Handwritten digits, merged and deduplicated",
                f"Raw and noise-augmented digits merged, each distinct image once "
                f"({len(merged.rows):,} rows).",
                merge_note,
            ),
            "image",
            ("images", "digits"),
            ("digits", "digits-noise"),
            "deduplication",
            merge_note,
            attestations=((_CHEN, 84, "Duplicate count checked: 1,797."),),
        ),
        _Spec(
            "wine-scaled",
            _HIRO,
            wine_scaled,
            _derived(
                _WINE_FORM,
                "Wine recognition, standardised",
                "The 178 wines with every measurement as a z-score.",
                scale_note,
            ),
            "tabular",
            ("tabular", "chemistry"),
            ("wine",),
            "normalization",
            scale_note,
        ),
        _Spec(
            "wine-train",
            _HIRO,
            wine_train,
            _derived(
                _WINE_FORM,
                "Wine recognition, standardised: train split",
                f"{len(wine_train.rows)} of the standardised wines (80%, stratified).",
                split_note,
            ),
            "tabular",
            ("tabular", "chemistry", "train"),
            ("wine-scaled",),
            "split",
            split_note,
            attestations=((_INES, 80, "Stratified as stated; no overlap with test."),),
        ),
        _Spec(
            "wine-test",
            _HIRO,
            wine_test,
            _derived(
                _WINE_FORM,
                "Wine recognition, standardised: test split",
                f"{len(wine_test.rows)} of the standardised wines (20%, stratified).",
                split_note,
            ),
            "tabular",
            ("tabular", "chemistry", "test"),
            ("wine-scaled",),
            "split",
            split_note,
        ),
        _Spec(
            "cancer-scaled",
            _HIRO,
            cancer_scaled,
            _derived(
                replace(_CANCER_FORM, version="1.1.0"),
                "Breast cancer Wisconsin, min-max scaled",
                "The 569 cases with every feature scaled to [0, 1].",
                cancer_note,
            ),
            "tabular",
            ("tabular", "medical"),
            ("cancer-v2",),
            "normalization",
            cancer_note,
        ),
    ]


def _card_maker(
    store: LocalContentStore, form: CardForm, facts: FileFacts, spec: _Spec
) -> Callable[[tuple[int, ...]], str]:
    def card(parents: tuple[int, ...]) -> str:
        context = CardContext(
            dataset_id=None,
            data_url=f"ipfs://{facts.cid}",
            parents=parents,
            transformation=spec.transformation,
            transformation_note=spec.note,
        )
        return store.put(croissant_bytes(form, facts, context))

    return card


def demo_datasets(store: LocalContentStore) -> Sequence[DemoDataset]:
    """Build, store and describe the demo's datasets (files, notes, reasons; cards on demand)."""
    datasets: list[DemoDataset] = []
    with tempfile.TemporaryDirectory(prefix="coop-demo-") as work:
        for spec in _specs():
            path = Path(work) / f"{spec.key}.csv"
            path.write_bytes(spec.table.csv())
            stored = store.put_path(path)
            facts = file_facts(path, stored.cid)
            datasets.append(
                DemoDataset(
                    key=spec.key,
                    owner=spec.owner,
                    data_cid=stored.cid,
                    content_digest=stored.sha256,
                    card=_card_maker(store, spec.form, facts, spec),
                    modality=spec.modality,
                    tags=spec.tags,
                    parents=spec.parents,
                    transformation=spec.transformation,
                    note_cid=store.put(spec.note.encode()) if spec.note else "",
                    supersedes=spec.supersedes,
                    attestations=tuple(
                        (curator, score, store.put(text.encode()))
                        for curator, score, text in spec.attestations
                    ),
                    delist_reason_cid=(
                        store.put(spec.delist_reason.encode()) if spec.delist_reason else ""
                    ),
                )
            )
    return datasets
