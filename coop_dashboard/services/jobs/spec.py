"""A training job's spec: the JSON document a job's spec CID names.

It says what to train (a recipe from a fixed set of scikit-learn recipes and its
parameters), on what (the job's datasets, the label column), how the result is
judged (evaluation data, metric, target score) and how a re-run is compared
(tolerance, whether verifiers re-train, the seed). The worker, the verifier, the
job pages and the seed all read it from here.

The bytes come from whoever posted the job: `parse` treats them as hostile (size
limit, strict JSON, no duplicate or unknown keys, exact types, ranges) and says
precisely what is wrong. `to_json` writes the canonical form (sorted keys, no
spaces), so the same spec always has the same CID.

Scores are fractions in [0, 1] here; on chain (`JobBoard.submitResult`'s
claimedScore) they are integers in millionths: `score_units` / `score_from_units`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from coop_dashboard.errors import ValidationError

SPEC_VERSION = 1
MAX_SPEC_BYTES = 64 * 1024
# A score of 1.0 on chain: claimedScore = round(score * SCORE_SCALE).
SCORE_SCALE = 1_000_000
MAX_DATASETS = 16  # JobBoard.MAX_DATASETS
MAX_SEED = 2**32 - 1  # numpy / scikit-learn random_state bound
MAX_TOLERANCE = 0.5
MAX_NAME_LENGTH = 200
MAX_COLUMNS = 1_000
MAX_DESCRIPTION_LENGTH = 2_000

TASKS: tuple[str, ...] = ("classification",)
METRICS: tuple[str, ...] = ("accuracy", "balanced_accuracy", "f1_macro", "f1_weighted")
METRIC_LABELS: dict[str, str] = {
    "accuracy": "Accuracy",
    "balanced_accuracy": "Balanced accuracy",
    "f1_macro": "F1 (macro)",
    "f1_weighted": "F1 (weighted)",
}
EVALUATION_KINDS: tuple[str, ...] = ("holdout", "dataset")


class JobSpecError(ValidationError):
    """A job spec is malformed or asks for something no worker will do; says what."""


@dataclass(frozen=True)
class ParamRule:
    """One parameter a recipe accepts: its type, bounds or choices, and default."""

    kind: Literal["int", "float", "choice"]
    default: int | float | str
    low: float = 0.0
    high: float = 0.0
    choices: tuple[str, ...] = ()

    def check(self, recipe: str, name: str, value: object) -> int | float | str:
        where = f"{recipe}.{name}"
        if self.kind == "choice":
            if not isinstance(value, str) or value not in self.choices:
                raise JobSpecError(f"params {where} must be one of {', '.join(self.choices)}.")
            return value
        if self.kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise JobSpecError(f"params {where} must be a whole number.")
        elif isinstance(value, bool) or not isinstance(value, int | float):
            raise JobSpecError(f"params {where} must be a number.")
        if not math.isfinite(value) or not self.low <= value <= self.high:
            raise JobSpecError(
                f"params {where} must be between {_number(self.low)} and {_number(self.high)}."
            )
        return float(value) if self.kind == "float" else value


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


@dataclass(frozen=True)
class Recipe:
    """A scikit-learn recipe a job may name: a label for pages and its parameters."""

    name: str
    label: str
    params: Mapping[str, ParamRule]


# The fixed set of recipes (what services/jobs' training code builds). Bounds keep a
# job within what a CPU trains in minutes on the cooperative's datasets.
RECIPES: dict[str, Recipe] = {
    recipe.name: recipe
    for recipe in (
        Recipe(
            "logistic_regression",
            "Logistic regression",
            {
                "C": ParamRule("float", 1.0, 1e-4, 1e4),
                "max_iter": ParamRule("int", 1000, 10, 20_000),
            },
        ),
        Recipe(
            "gradient_boosting",
            "Gradient boosting (trees)",
            {
                "n_estimators": ParamRule("int", 100, 1, 1000),
                "learning_rate": ParamRule("float", 0.1, 1e-3, 1.0),
                "max_depth": ParamRule("int", 3, 1, 10),
            },
        ),
        Recipe(
            "random_forest",
            "Random forest",
            {
                "n_estimators": ParamRule("int", 100, 1, 1000),
                "max_depth": ParamRule("int", 0, 0, 50),  # 0: grow until pure
            },
        ),
        Recipe(
            "mlp",
            "Small neural network (MLP)",
            {
                "hidden_units": ParamRule("int", 64, 1, 512),
                "hidden_layers": ParamRule("int", 1, 1, 3),
                "alpha": ParamRule("float", 1e-4, 0.0, 10.0),
                "learning_rate_init": ParamRule("float", 1e-3, 1e-5, 1.0),
                "max_iter": ParamRule("int", 200, 1, 2000),
                "activation": ParamRule("choice", "relu", choices=("relu", "tanh", "logistic")),
            },
        ),
    )
}


@dataclass(frozen=True)
class Evaluation:
    """The held-out data a result is scored on.

    holdout: a stratified share of the training data set aside (seeded by the spec's
    seed) and never trained on. dataset: a separate registered dataset (e.g. a test
    split) with the same columns.
    """

    kind: Literal["holdout", "dataset"]
    test_share: float = 0.0  # holdout only, in (0, 0.5]
    dataset_id: int = 0  # dataset only

    def as_json(self) -> dict[str, Any]:
        if self.kind == "holdout":
            return {"kind": "holdout", "test_share": self.test_share}
        return {"kind": "dataset", "dataset_id": self.dataset_id}


@dataclass(frozen=True)
class JobSpec:
    """What a job asks for (see the module docstring); built by `parse` or by hand."""

    recipe: str
    training_datasets: tuple[int, ...]
    label_column: str
    evaluation: Evaluation
    metric: str
    target_score: float
    tolerance: float
    params: Mapping[str, int | float | str] = field(default_factory=dict)
    task: str = "classification"
    ignore_columns: tuple[str, ...] = ()
    verifiers_retrain: bool = True
    seed: int = 0
    description: str = ""
    version: int = SPEC_VERSION

    @property
    def evaluation_datasets(self) -> tuple[int, ...]:
        """Dataset ids the evaluation reads beyond the training data (none for holdout)."""
        return (self.evaluation.dataset_id,) if self.evaluation.kind == "dataset" else ()

    @property
    def all_datasets(self) -> tuple[int, ...]:
        """Every dataset a worker must download, training first, each once."""
        return tuple(dict.fromkeys(self.training_datasets + self.evaluation_datasets))

    @property
    def target_units(self) -> int:
        """The target score as JobBoard carries scores (millionths)."""
        return score_units(self.target_score)

    @property
    def tolerance_units(self) -> int:
        return score_units(self.tolerance)

    def resolved_params(self) -> dict[str, int | float | str]:
        """Every parameter of the recipe: the spec's values, defaults for the rest."""
        rules = RECIPES[self.recipe].params
        return {name: self.params.get(name, rule.default) for name, rule in rules.items()}

    def as_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "task": self.task,
            "description": self.description,
            "recipe": self.recipe,
            "params": dict(sorted(self.params.items())),
            "training_datasets": list(self.training_datasets),
            "label_column": self.label_column,
            "ignore_columns": list(self.ignore_columns),
            "evaluation": self.evaluation.as_json(),
            "metric": self.metric,
            "target_score": self.target_score,
            "tolerance": self.tolerance,
            "verifiers_retrain": self.verifiers_retrain,
            "seed": self.seed,
        }

    def to_json(self) -> bytes:
        """The canonical bytes (validated first): sorted keys, no whitespace, UTF-8."""
        validate(self)
        return json.dumps(
            self.as_json(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()


def score_units(score: float) -> int:
    """A score in [0, 1] as JobBoard's claimedScore (millionths, rounded)."""
    return round(score * SCORE_SCALE)


def score_from_units(units: int) -> float:
    """JobBoard's claimedScore back as a fraction."""
    return units / SCORE_SCALE


# --- parsing hostile bytes ------------------------------------------------------------

_REQUIRED = (
    "version",
    "task",
    "recipe",
    "training_datasets",
    "label_column",
    "evaluation",
    "metric",
    "target_score",
    "tolerance",
)
_OPTIONAL = ("description", "params", "ignore_columns", "verifiers_retrain", "seed")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise JobSpecError(f"The spec names '{key[:40]}' twice.")
        result[key] = value
    return result


def _no_constants(name: str) -> Any:
    raise JobSpecError(f"The spec holds {name}, which is not a number.")


def parse(raw: bytes) -> JobSpec:
    """The spec in `raw` (a job's spec CID's bytes), checked; JobSpecError says what is wrong."""
    if not isinstance(raw, bytes | bytearray):
        raise JobSpecError("A spec is bytes (the content its CID names).")
    if len(raw) > MAX_SPEC_BYTES:
        raise JobSpecError(f"The spec is {len(raw):,} bytes; at most {MAX_SPEC_BYTES:,}.")
    try:
        text = bytes(raw).decode("utf-8")
    except UnicodeDecodeError as error:
        raise JobSpecError("The spec is not UTF-8 text.") from error
    try:
        document = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except JobSpecError:
        raise
    except (ValueError, RecursionError) as error:
        raise JobSpecError(f"The spec is not valid JSON ({str(error)[:80]}).") from error
    return from_json(document)


def from_json(document: object) -> JobSpec:
    """A spec from its decoded JSON, checked the same way as `parse`."""
    if not isinstance(document, dict):
        raise JobSpecError("The spec must be a JSON object.")
    unknown = sorted(set(document) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise JobSpecError(
            f"The spec has unknown fields: {', '.join(k[:40] for k in unknown[:5])}."
        )
    missing = [key for key in _REQUIRED if key not in document]
    if missing:
        raise JobSpecError(f"The spec is missing: {', '.join(missing)}.")
    version = _integer(document["version"], "version")
    if version != SPEC_VERSION:
        raise JobSpecError(
            f"Spec version {version} is not supported (this code reads {SPEC_VERSION})."
        )
    spec = JobSpec(
        version=version,
        task=_string(document["task"], "task"),
        description=_string(document.get("description", ""), "description", allow_empty=True),
        recipe=_string(document["recipe"], "recipe"),
        params=_params(document.get("params", {})),
        training_datasets=_dataset_ids(document["training_datasets"]),
        label_column=_string(document["label_column"], "label_column"),
        ignore_columns=_strings(document.get("ignore_columns", []), "ignore_columns"),
        evaluation=_evaluation(document["evaluation"]),
        metric=_string(document["metric"], "metric"),
        target_score=_fraction(document["target_score"], "target_score"),
        tolerance=_fraction(document["tolerance"], "tolerance"),
        verifiers_retrain=_boolean(document.get("verifiers_retrain", True), "verifiers_retrain"),
        seed=_integer(document.get("seed", 0), "seed"),
    )
    validate(spec)
    return spec


def validate(spec: JobSpec) -> None:
    """Check the rules no field can check alone; raise JobSpecError naming the first broken."""
    if spec.version != SPEC_VERSION:
        raise JobSpecError(f"Spec version {spec.version} is not supported.")
    if spec.task not in TASKS:
        raise JobSpecError(f"Unknown task '{spec.task[:40]}'; known: {', '.join(TASKS)}.")
    recipe = RECIPES.get(spec.recipe)
    if recipe is None:
        raise JobSpecError(
            f"Unknown recipe '{spec.recipe[:40]}'; known: {', '.join(sorted(RECIPES))}."
        )
    for name, value in spec.params.items():
        rule = recipe.params.get(name)
        if rule is None:
            raise JobSpecError(
                f"The recipe {spec.recipe} has no parameter '{name[:40]}'; "
                f"it takes {', '.join(recipe.params)}."
            )
        rule.check(spec.recipe, name, value)
    if len(spec.description) > MAX_DESCRIPTION_LENGTH:
        raise JobSpecError(f"The description is longer than {MAX_DESCRIPTION_LENGTH} characters.")
    if not 1 <= len(spec.training_datasets) <= MAX_DATASETS:
        raise JobSpecError(f"A job trains on 1 to {MAX_DATASETS} datasets.")
    if len(set(spec.training_datasets)) != len(spec.training_datasets):
        raise JobSpecError("A training dataset is listed twice.")
    if any(dataset_id < 1 for dataset_id in spec.training_datasets):
        raise JobSpecError("Dataset ids start at 1.")
    if not spec.label_column or len(spec.label_column) > MAX_NAME_LENGTH:
        raise JobSpecError("The label column needs a name (at most 200 characters).")
    if spec.label_column in spec.ignore_columns:
        raise JobSpecError("The label column cannot also be ignored.")
    if len(spec.ignore_columns) > MAX_COLUMNS:
        raise JobSpecError(f"At most {MAX_COLUMNS} ignored columns.")
    _validate_evaluation(spec)
    if spec.metric not in METRICS:
        raise JobSpecError(f"Unknown metric '{spec.metric[:40]}'; known: {', '.join(METRICS)}.")
    if not 0.0 < spec.target_score <= 1.0 or not math.isfinite(spec.target_score):
        raise JobSpecError("The target score is a fraction above 0 and at most 1.")
    if not 0.0 <= spec.tolerance <= MAX_TOLERANCE or not math.isfinite(spec.tolerance):
        raise JobSpecError(f"The tolerance is between 0 and {MAX_TOLERANCE}.")
    if not 0 <= spec.seed <= MAX_SEED:
        raise JobSpecError(f"The seed is between 0 and {MAX_SEED}.")


def _validate_evaluation(spec: JobSpec) -> None:
    evaluation = spec.evaluation
    if evaluation.kind == "holdout":
        if not 0.0 < evaluation.test_share <= 0.5 or not math.isfinite(evaluation.test_share):
            raise JobSpecError("A holdout evaluation sets aside a share above 0 and at most 0.5.")
    elif evaluation.kind == "dataset":
        if evaluation.dataset_id < 1:
            raise JobSpecError("The evaluation dataset needs an id (ids start at 1).")
        if evaluation.dataset_id in spec.training_datasets:
            raise JobSpecError(
                "The evaluation dataset is also a training dataset: the score would not be "
                "on held-out data."
            )
    else:
        raise JobSpecError(
            f"Unknown evaluation kind '{str(evaluation.kind)[:40]}'; "
            f"known: {', '.join(EVALUATION_KINDS)}."
        )


def _string(value: object, name: str, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise JobSpecError(f"{name} must be text.")
    if not value and not allow_empty:
        raise JobSpecError(f"{name} must not be empty.")
    if any(ord(c) < 32 and c not in "\n\t" for c in value):
        raise JobSpecError(f"{name} holds control characters.")
    return value


def _strings(value: object, name: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise JobSpecError(f"{name} must be a list of column names.")
    if len(value) > MAX_COLUMNS:
        raise JobSpecError(f"{name} lists more than {MAX_COLUMNS} columns.")
    return tuple(_string(item, name) for item in value)


def _integer(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise JobSpecError(f"{name} must be a whole number.")
    return value


def _boolean(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise JobSpecError(f"{name} must be true or false.")
    return value


def _fraction(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise JobSpecError(f"{name} must be a number.")
    number = float(value)
    if not math.isfinite(number):
        raise JobSpecError(f"{name} must be a finite number.")
    return number


def _dataset_ids(value: object) -> tuple[int, ...]:
    if not isinstance(value, list) or not value:
        raise JobSpecError("training_datasets must be a non-empty list of dataset ids.")
    if len(value) > MAX_DATASETS:
        raise JobSpecError(f"A job trains on at most {MAX_DATASETS} datasets.")
    return tuple(_integer(item, "A training dataset id") for item in value)


def _params(value: object) -> dict[str, int | float | str]:
    if not isinstance(value, dict):
        raise JobSpecError("params must be an object of parameter names and values.")
    result: dict[str, int | float | str] = {}
    for name, item in value.items():
        if isinstance(item, bool) or not isinstance(item, int | float | str):
            raise JobSpecError(f"params {name[:40]} must be a number or a name.")
        result[name] = item
    return result


def _evaluation(value: object) -> Evaluation:
    if not isinstance(value, dict):
        raise JobSpecError("evaluation must be an object (kind holdout or dataset).")
    kind = value.get("kind")
    if kind == "holdout":
        if set(value) != {"kind", "test_share"}:
            raise JobSpecError("A holdout evaluation has exactly: kind, test_share.")
        return Evaluation("holdout", test_share=_fraction(value["test_share"], "test_share"))
    if kind == "dataset":
        if set(value) != {"kind", "dataset_id"}:
            raise JobSpecError("A dataset evaluation has exactly: kind, dataset_id.")
        return Evaluation("dataset", dataset_id=_integer(value["dataset_id"], "dataset_id"))
    raise JobSpecError(
        "The spec has no usable evaluation data: evaluation.kind must be "
        f"{' or '.join(EVALUATION_KINDS)}."
    )
