"""The demo's data is scikit-learn's: the tables read from its bundled files equal what
its loaders return, and the transformations do what their notes say."""

from __future__ import annotations

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, load_wine

from coop_dashboard.services.datasets import demo


def test_the_raw_tables_are_what_the_sklearn_loaders_return() -> None:
    digits, wine, cancer = demo._digits(), demo._wine(), demo._breast_cancer(True)
    reference = load_digits()
    assert np.array_equal(digits.rows[:, :-1], reference.data)
    assert np.array_equal(digits.rows[:, -1], reference.target)
    assert digits.columns[:-1] == reference.feature_names
    reference = load_wine()
    assert np.array_equal(wine.rows[:, :-1], reference.data)
    assert np.array_equal(wine.rows[:, -1], reference.target)
    assert wine.columns[:-1] == [n.replace("/", "_") for n in reference.feature_names]
    reference = load_breast_cancer()
    assert np.array_equal(cancer.rows[:, :-2].astype(float), reference.data)
    assert np.array_equal(cancer.rows[:, -2].astype(int), reference.target)
    assert cancer.columns[:-2] == [n.replace(" ", "_") for n in reference.feature_names]
    assert list(cancer.rows[:3, -1]) == [reference.target_names[t] for t in reference.target[:3]]


def test_the_transformations_do_what_their_notes_say() -> None:
    digits = demo._digits()
    noisy = demo._with_noise(digits)
    assert len(noisy.rows) == 2 * len(digits.rows)
    assert np.array_equal(noisy.rows[: len(digits.rows)], digits.rows)
    copies = noisy.rows[len(digits.rows) :]
    assert copies[:, :-1].min() >= 0 and copies[:, :-1].max() <= 16
    assert np.array_equal(copies[:, -1], digits.rows[:, -1])
    merged, dropped = demo._union_deduplicated(digits, noisy)
    assert dropped == len(digits.rows) and len(np.unique(merged.rows, axis=0)) == len(merged.rows)
    mirrored = demo._with_mirrors(digits).rows[len(digits.rows) :]
    first = digits.rows[0, :-1].reshape(8, 8)
    assert np.array_equal(mirrored[0, :-1].reshape(8, 8), first[:, ::-1])

    scaled = demo._standardised(demo._wine())
    features = scaled.rows[:, :-1].astype(float)
    assert np.allclose(features.mean(axis=0), 0) and np.allclose(features.std(axis=0), 1)
    train, test = demo._split(scaled, 0.2)
    assert len(train.rows) + len(test.rows) == 178
    assert np.bincount(test.rows[:, -1].astype(int)).tolist() == [12, 14, 10]  # 20% of 59/71/48
    assert not {tuple(r) for r in train.rows.tolist()} & {tuple(r) for r in test.rows.tolist()}
    cancer = demo._min_max(demo._breast_cancer(True), 2)
    values = cancer.rows[:, :-2].astype(float)
    assert values.min() == 0 and values.max() == 1


def test_the_csv_is_deterministic_and_reads_back() -> None:
    wine = demo._wine()
    text = wine.csv().decode()
    assert text == demo._wine().csv().decode()
    header, first = text.splitlines()[:2]
    assert header.startswith("alcohol,malic_acid,") and header.endswith(",cultivar")
    assert first == "14.23,1.71,2.43,15.6,127,2.8,3.06,0.28,2.29,5.64,1.04,3.92,1065,0"
