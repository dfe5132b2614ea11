"""Models (/models, /models/<id>): what finalized jobs produced, with metrics and license.

A model's license is the most restrictive class of its datasets (the index
computes it: db/job_queries.model_detail); its lineage continues from the
datasets' pages (their provenance graph) through the job to the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from coop_dashboard.config import load_settings
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.db.engine import get_engine
from coop_dashboard.db.job_queries import ModelSummary, model_detail, models_page
from coop_dashboard.services.datasets.lineage_graph import dataset_link
from coop_dashboard.services.display import format_int, short_address
from coop_dashboard.services.jobs.display import job_link, model_link, provider_link, when
from coop_dashboard.services.jobs.job_view import Line, metrics_lines, spec_view
from coop_dashboard.services.jobs.spec import score_from_units

USE_LABELS = {
    "all": "Any use",
    "non_commercial": "Non-commercial use only",
    "academic": "Academic use only",
}


@dataclass(frozen=True)
class ModelRow:
    model_id: int = 0
    link: str = ""
    job_id: int = 0
    job_link: str = ""
    provider_short: str = ""
    provider_link: str = ""
    score: str = ""
    datasets: str = ""
    purpose: str = ""
    recorded: str = ""


PAGE_SIZE = 20


@dataclass(frozen=True)
class ModelsKey:
    """What /models shows: the models trained on `dataset_id` (0: every model), one page."""

    dataset_id: int = 0
    page: int = 1


@dataclass(frozen=True)
class ModelsView:
    loaded: bool = False
    rows: list[ModelRow] = field(default_factory=list)
    total_text: str = ""
    page: int = 1
    pages: int = 1


@dataclass(frozen=True)
class ModelDataset:
    dataset_id: int
    link: str
    name: str
    license: str


@dataclass(frozen=True)
class ModelView:
    loaded: bool = False
    found: bool = True
    row: ModelRow = field(default_factory=ModelRow)
    checkpoint_cid: str = ""
    checkpoint_link: str = ""
    metrics: list[Line] = field(default_factory=list)
    metrics_problem: str = ""
    spec: list[Line] = field(default_factory=list)
    datasets: list[ModelDataset] = field(default_factory=list)
    license: str = ""
    lineage_link: str = ""  # the first dataset's page, where the provenance graph starts


def _score(units: int | None) -> str:
    return "–" if units is None else f"{score_from_units(units):.6f}".rstrip("0").rstrip(".")


def model_row(model: ModelSummary) -> ModelRow:
    return ModelRow(
        model_id=model.model_id,
        link=model_link(model.model_id),
        job_id=model.job_id,
        job_link=job_link(model.job_id),
        provider_short=short_address(model.provider),
        provider_link=provider_link(model.provider),
        score=_score(model.claimed_score),
        datasets=", ".join(f"#{d}" for d in model.dataset_ids),
        purpose=model.purpose.replace("_", " "),
        recorded=when(model.recorded_at),
    )


def license_text(use: str | None, attribution: bool | None, share_alike: bool | None) -> str:
    if use is None:
        return "Unknown (no class in the index)"
    parts = [USE_LABELS.get(use, use)]
    if attribution:
        parts.append("attribution required")
    if share_alike:
        parts.append("share-alike")
    return ", ".join(parts)


def read_models_view(key: ModelsKey, engine: Engine | None = None) -> ModelsView:
    """One page of the models, newest first (those trained on `key.dataset_id` if not 0)."""
    engine = engine or get_engine(load_settings().database_url)
    found = models_page(
        engine, dataset_id=key.dataset_id or None, page=key.page, page_size=PAGE_SIZE
    )
    noun = "model" if found.total == 1 else "models"
    return ModelsView(
        loaded=True,
        rows=[model_row(m) for m in found.rows],
        total_text=f"{format_int(found.total)} {noun}",
        page=found.page,
        pages=found.pages,
    )


def read_model_view(model_id: int, engine: Engine | None = None) -> ModelView:
    settings = load_settings()
    engine = engine or get_engine(settings.database_url)
    detail = model_detail(engine, model_id)
    if detail is None:
        return ModelView(loaded=True, found=False)
    store = LocalContentStore(settings.content_dir)
    summary = detail.summary
    metrics, problem = (
        metrics_lines(store, summary.metrics_cid)
        if summary.metrics_cid
        else ([], "Metrics unknown.")
    )
    spec = spec_view(store, detail.spec_cid).lines if detail.spec_cid else []
    licence = detail.license
    text = license_text(licence.use, licence.attribution, licence.share_alike)
    if not licence.known:
        text += " (some datasets' classes are not in the index)"
    return ModelView(
        loaded=True,
        found=True,
        row=model_row(summary),
        checkpoint_cid=summary.checkpoint_cid or "",
        checkpoint_link=f"/ipfs/{summary.checkpoint_cid}" if summary.checkpoint_cid else "",
        metrics=metrics,
        metrics_problem=problem,
        spec=spec,
        datasets=[
            ModelDataset(
                d.dataset_id,
                dataset_link(d.dataset_id),
                d.name or f"Dataset #{d.dataset_id}",
                license_text(d.use, d.attribution, d.share_alike),
            )
            for d in detail.datasets
        ],
        license=text,
        lineage_link=dataset_link(summary.dataset_ids[0]) if summary.dataset_ids else "",
    )
