"""Training and evaluation for a job spec: real scikit-learn, seeded, deterministic.

`train_for_spec(spec, data)` is what a worker (and the demo seed) runs: the
job's datasets as CSV bytes by dataset id in, the checkpoint (a skops file, which
loads without running code from it) and the metrics out. `evaluate_checkpoint`
is what a verifier runs on a checkpoint someone else made. Both read the data the
same way (`prepare`): columns by name, the label column as the target, the
spec's ignored columns dropped, every other column a number; a holdout is a
stratified, seeded share of the training rows that is never trained on.

Same spec + same bytes = the same model and the same score: every estimator gets
the spec's seed, nothing runs in parallel, and the split is numpy's seeded
generator over a fixed row order.
"""

from __future__ import annotations

import csv
import io
import json
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from skops import io as skops_io
from skops.io.exceptions import UntrustedTypesFoundException

from coop_dashboard.errors import ValidationError
from coop_dashboard.services.jobs.spec import JobSpec

# (stage, done, total) for a progress display: "iteration", 37, 100.
Progress = Callable[[str, int, int], None]
MAX_ROWS = 2_000_000
# Types a checkpoint may hold beyond those skops trusts by default (its audited numpy and
# scikit-learn types): the estimators this module builds and what they hold. Anything
# else (a function reference, an unknown class) refuses the file before it is built.
TRUSTED_TYPES = (
    "numpy.dtype",
    "numpy.ndarray",
    "numpy.float64",
    "numpy.int64",
    "numpy.random.mtrand.RandomState",
    "numpy.random._mt19937.MT19937",
    "numpy.random._pcg64.PCG64",
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing._data.StandardScaler",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.ensemble._gb.GradientBoostingClassifier",
    "sklearn.ensemble._forest.RandomForestClassifier",
    "sklearn.neural_network._multilayer_perceptron.MLPClassifier",
    "sklearn.tree._classes.DecisionTreeClassifier",
    "sklearn.tree._classes.DecisionTreeRegressor",
    "sklearn.tree._tree.Tree",
    "sklearn.ensemble._gb_losses.MultinomialDeviance",
    "sklearn.ensemble._gb_losses.BinomialDeviance",
    "sklearn._loss.loss.HalfMultinomialLoss",
    "sklearn._loss.loss.HalfBinomialLoss",
    "sklearn._loss.link.MultinomialLogit",
    "sklearn._loss.link.LogitLink",
    "sklearn._loss.link.Interval",
    "sklearn._loss._loss.CyHalfMultinomialLoss",
    "sklearn._loss._loss.CyHalfBinomialLoss",
    "sklearn.dummy.DummyClassifier",
    "sklearn.neural_network._stochastic_optimizers.AdamOptimizer",
    "sklearn.neural_network._stochastic_optimizers.SGDOptimizer",
    "sklearn.ensemble._gb.CategoricalSpecs",
    "builtins.slice",
    "collections.OrderedDict",
)


class TrainingError(ValidationError):
    """The data or checkpoint does not fit the spec; the message says what is wrong."""


@dataclass(frozen=True)
class Table:
    """Feature matrix and labels read from one or more CSV files."""

    columns: tuple[str, ...]  # feature columns, in the order the model sees them
    features: np.ndarray[Any, Any]
    labels: np.ndarray[Any, Any]


@dataclass(frozen=True)
class Prepared:
    """What a spec trains on and evaluates on."""

    train: Table
    test: Table


@dataclass(frozen=True)
class Trained:
    """A checkpoint (skops bytes) and its metrics document."""

    model_bytes: bytes
    metrics: dict[str, Any]

    @property
    def score(self) -> float:
        return float(self.metrics["score"])

    def metrics_bytes(self) -> bytes:
        return metrics_json(self.metrics)


def metrics_json(metrics: Mapping[str, Any]) -> bytes:
    """Canonical bytes of a metrics document (sorted keys), so equal metrics share a CID."""
    return json.dumps(metrics, sort_keys=True, separators=(",", ":")).encode()


# --- data -------------------------------------------------------------------------------


def read_table(raw: bytes, spec: JobSpec, what: str) -> Table:
    """The rows of one CSV file as the spec reads them (TrainingError names the problem)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise TrainingError(f"{what} is not UTF-8 CSV text.") from error
    rows = list(csv.reader(io.StringIO(text)))
    if len(rows) < 2:
        raise TrainingError(f"{what} has no data rows.")
    if len(rows) > MAX_ROWS:
        raise TrainingError(f"{what} has more than {MAX_ROWS:,} rows.")
    header = tuple(rows[0])
    if spec.label_column not in header:
        raise TrainingError(f"{what} has no label column '{spec.label_column}'.")
    ignored = set(spec.ignore_columns)
    columns = tuple(c for c in header if c != spec.label_column and c not in ignored)
    if not columns:
        raise TrainingError(f"{what} has no feature columns.")
    positions = [header.index(c) for c in columns]
    label_at = header.index(spec.label_column)
    body = [row for row in rows[1:] if row]
    if any(len(row) != len(header) for row in body):
        raise TrainingError(f"{what} has rows with a different number of fields than its header.")
    try:
        features = np.array([[float(row[i]) for i in positions] for row in body], dtype=np.float64)
    except ValueError as error:
        raise TrainingError(
            f"{what} has a feature that is not a number ({error}); list text columns "
            "in the spec's ignore_columns."
        ) from error
    if not np.isfinite(features).all():
        raise TrainingError(f"{what} has a feature that is not finite.")
    labels = np.array([row[label_at] for row in body], dtype=object)
    return Table(columns, features, labels)


def _joined(tables: list[Table], what: str) -> Table:
    first = tables[0]
    for table in tables[1:]:
        if table.columns != first.columns:
            raise TrainingError(f"{what}: the datasets do not have the same columns.")
    return Table(
        first.columns,
        np.concatenate([t.features for t in tables]),
        np.concatenate([t.labels for t in tables]),
    )


def holdout_split(labels: np.ndarray[Any, Any], share: float, seed: int) -> np.ndarray[Any, Any]:
    """A boolean mask of the test rows: per label (sorted), a seeded shuffle, the first share."""
    rng = np.random.default_rng(seed)
    chosen = np.zeros(len(labels), dtype=bool)
    for label in sorted(set(labels.tolist())):
        members = np.flatnonzero(labels == label)
        rng.shuffle(members)
        chosen[members[: round(len(members) * share)]] = True
    return chosen


def prepare(spec: JobSpec, data: Mapping[int, bytes]) -> Prepared:
    """Training and test tables for `spec` from the datasets' bytes by id."""
    missing = [d for d in spec.all_datasets if d not in data]
    if missing:
        raise TrainingError(f"No data for dataset(s) {', '.join(map(str, missing))}.")
    train = _joined(
        [read_table(data[d], spec, f"Dataset {d}") for d in spec.training_datasets],
        "Training data",
    )
    if spec.evaluation.kind == "dataset":
        dataset_id = spec.evaluation.dataset_id
        test = read_table(data[dataset_id], spec, f"Evaluation dataset {dataset_id}")
        if test.columns != train.columns:
            raise TrainingError(
                f"Evaluation dataset {dataset_id} does not have the training data's columns."
            )
        return Prepared(train, test)
    mask = holdout_split(train.labels, spec.evaluation.test_share, spec.seed)
    if mask.all() or not mask.any():
        raise TrainingError("The holdout leaves nothing to train on or to test on.")
    return Prepared(
        Table(train.columns, train.features[~mask], train.labels[~mask]),
        Table(train.columns, train.features[mask], train.labels[mask]),
    )


# --- models ------------------------------------------------------------------------------


def build_estimator(spec: JobSpec) -> Any:
    """The scikit-learn estimator the spec's recipe names, seeded, single-threaded."""
    from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    params = spec.resolved_params()
    seed = spec.seed
    if spec.recipe == "logistic_regression":
        model = LogisticRegression(C=params["C"], max_iter=params["max_iter"], random_state=seed)
        return make_pipeline(StandardScaler(), model)
    if spec.recipe == "gradient_boosting":
        return GradientBoostingClassifier(
            n_estimators=params["n_estimators"],
            learning_rate=params["learning_rate"],
            max_depth=params["max_depth"],
            random_state=seed,
        )
    if spec.recipe == "random_forest":
        depth = int(params["max_depth"])
        return RandomForestClassifier(
            n_estimators=params["n_estimators"],
            max_depth=depth or None,
            random_state=seed,
            n_jobs=1,
        )
    if spec.recipe == "mlp":
        layers = (int(params["hidden_units"]),) * int(params["hidden_layers"])
        mlp = MLPClassifier(
            hidden_layer_sizes=layers,
            alpha=params["alpha"],
            learning_rate_init=params["learning_rate_init"],
            max_iter=params["max_iter"],
            activation=params["activation"],
            random_state=seed,
        )
        return make_pipeline(StandardScaler(), mlp)
    raise TrainingError(f"No training code for recipe '{spec.recipe}'.")


def score_of(metric: str, truth: np.ndarray[Any, Any], predicted: np.ndarray[Any, Any]) -> float:
    """The spec's metric of `predicted` against `truth`."""
    from sklearn import metrics

    if metric == "accuracy":
        return float(metrics.accuracy_score(truth, predicted))
    if metric == "balanced_accuracy":
        return float(metrics.balanced_accuracy_score(truth, predicted))
    if metric in ("f1_macro", "f1_weighted"):
        average = metric.removeprefix("f1_")
        return float(metrics.f1_score(truth, predicted, average=average))
    raise TrainingError(f"No code for metric '{metric}'.")


def _fit(estimator: Any, table: Table, progress: Progress | None) -> None:
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.exceptions import ConvergenceWarning

    labels = table.labels.astype(str)
    with warnings.catch_warnings():
        # A capped max_iter is the spec's choice; the score says how good the model is.
        warnings.simplefilter("ignore", ConvergenceWarning)
        if isinstance(estimator, GradientBoostingClassifier) and progress is not None:
            total = int(estimator.n_estimators)

            def monitor(iteration: int, _model: Any, _locals: Any) -> bool:
                progress("iteration", iteration + 1, total)
                return False

            estimator.fit(table.features, labels, monitor=monitor)
        else:
            estimator.fit(table.features, labels)


def evaluate_model(model: Any, spec: JobSpec, test: Table) -> dict[str, Any]:
    """The metrics document of `model` on `test` (the spec's metric is `score`)."""
    started = time.perf_counter()
    predicted = model.predict(test.features)
    truth = test.labels.astype(str)
    return {
        "metric": spec.metric,
        "score": score_of(spec.metric, truth, predicted),
        "accuracy": score_of("accuracy", truth, predicted),
        "test_rows": len(truth),
        "evaluation_seconds": round(time.perf_counter() - started, 4),
    }


def train_for_spec(
    spec: JobSpec, data: Mapping[int, bytes], progress: Progress | None = None
) -> Trained:
    """Train what `spec` describes on `data` (CSV bytes by dataset id); checkpoint + metrics."""
    prepared = prepare(spec, data)
    estimator = build_estimator(spec)
    started = time.perf_counter()
    _fit(estimator, prepared.train, progress)
    training_seconds = time.perf_counter() - started
    metrics = evaluate_model(estimator, spec, prepared.test)
    metrics.update(
        recipe=spec.recipe,
        params=spec.resolved_params(),
        seed=spec.seed,
        train_rows=len(prepared.train.labels),
        features=list(prepared.train.columns),
        training_seconds=round(training_seconds, 4),
    )
    return Trained(skops_io.dumps(_compact(estimator)), metrics)


def _compact(estimator: Any) -> Any:
    """Drop what only training needs before saving: an MLP's optimizer state and its
    per-iteration loss list (one checkpoint node per float) cost a verifier more to
    load than predicting does; the loss curve stays, as one array."""
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import Pipeline

    final = estimator.steps[-1][1] if isinstance(estimator, Pipeline) else estimator
    if isinstance(final, MLPClassifier):
        final._optimizer = None
        final.loss_curve_ = np.asarray(final.loss_curve_, dtype=np.float64)
    return estimator


def load_checkpoint(model_bytes: bytes) -> Any:
    """A checkpoint's model, refusing any type this module does not build (no code runs).

    One pass: skops audits the file against the trusted types while loading it."""
    try:
        return skops_io.loads(model_bytes, trusted=list(TRUSTED_TYPES))
    except UntrustedTypesFoundException as error:
        raise TrainingError(f"The checkpoint holds types no recipe makes: {error}") from error
    except Exception as error:  # a corrupt or forged file: zip, JSON or schema errors
        raise TrainingError(f"The checkpoint is not a readable skops file ({error}).") from error


def evaluate_checkpoint(
    spec: JobSpec, data: Mapping[int, bytes], model_bytes: bytes
) -> dict[str, Any]:
    """Re-run the spec's evaluation on someone's checkpoint (what a verifier does)."""
    prepared = prepare(spec, data)
    model = load_checkpoint(model_bytes)
    if not hasattr(model, "predict"):
        raise TrainingError("The checkpoint is not a model that predicts.")
    try:
        return evaluate_model(model, spec, prepared.test)
    except (ValueError, TypeError, AttributeError) as error:
        raise TrainingError(
            f"The checkpoint cannot predict the evaluation data ({error})."
        ) from error
