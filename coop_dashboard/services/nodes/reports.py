"""The compute nodes' reports over HTTP, checked before anything is stored.

`POST /api/nodes/heartbeat` {"job_id", "stage", "done", "total", "detail"}: only the
job's accepted provider (the bearer token's address, checked on chain) may
report progress on it. `POST /api/nodes/reproduction` {"job_id",
"reproduced_units", "retrained_units", "agrees", "metrics_cid"}: any signed-in
verifier, for a job with a result on chain; the claimed score stored next to it
is the chain's, never the sender's. `POST /api/nodes/content`: a checkpoint or
metrics file into the content store (size-limited), answered with its CID.
Everything arrives forged until checked: exact types, ranges, known stages.
Blocking (database, RPC, disk): call from a worker thread.
"""

from __future__ import annotations

import time
from typing import Any

from coop_dashboard.chain.job_nodes import job_facts
from coop_dashboard.config import Settings
from coop_dashboard.content.cid import is_cid
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.db.engine import get_engine
from coop_dashboard.db.node_queries import (
    Heartbeat,
    Reproduction,
    record_heartbeat,
    record_reproduction,
)
from coop_dashboard.db.node_tables import DETAIL_LENGTH
from coop_dashboard.errors import ChainError, ContentError
from coop_dashboard.services.api_auth import JsonAnswer, refusal
from coop_dashboard.services.chain_access import chain_for
from coop_dashboard.services.jobs.spec import SCORE_SCALE

HEARTBEAT_ROUTE = "/api/nodes/heartbeat"
REPRODUCTION_ROUTE = "/api/nodes/reproduction"
CONTENT_ROUTE = "/api/nodes/content"
# A checkpoint of the recipes' size on the seeded data is at most tens of MB.
MAX_CONTENT_BYTES = 64 * 1024 * 1024
STAGES = (
    "bidding",
    "accepted",
    "downloading",
    "training",
    "evaluating",
    "uploading",
    "submitting",
    "submitted",
    "failed",
)
_MAX_COUNT = 10**12
_REPORTABLE = ("in_progress", "in_review")


def _integer(body: dict[str, Any], name: str, low: int, high: int) -> int | JsonAnswer:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return refusal(400, f'"{name}" must be a whole number from {low} to {high}.')
    return value


def _job(settings: Settings, job_id: int) -> tuple[Any, int] | JsonAnswer:
    chain = chain_for(settings)
    try:
        facts = job_facts(chain.w3, chain.deployment, job_id)
    except (ChainError, OSError, ValueError) as error:
        return refusal(503, f"The chain cannot be read right now ({error}); try again.")
    if facts is None:
        return refusal(404, f"There is no job {job_id} on the board.")
    return facts


def heartbeat_answer(settings: Settings, address: str, body: object) -> JsonAnswer:
    """Store the provider's heartbeat on a job it was accepted for."""
    if not isinstance(body, dict):
        return refusal(400, "Send a JSON object with job_id, stage, done, total, detail.")
    job_id = _integer(body, "job_id", 1, 2**63 - 1)
    done = _integer(body, "done", 0, _MAX_COUNT)
    total = _integer(body, "total", 0, _MAX_COUNT)
    for checked in (job_id, done, total):
        if isinstance(checked, JsonAnswer):
            return checked
    stage, detail = body.get("stage"), body.get("detail", "")
    if stage not in STAGES:
        return refusal(400, f'"stage" must be one of {", ".join(STAGES)}.')
    if not isinstance(detail, str) or len(detail) > DETAIL_LENGTH or "\x00" in detail:
        return refusal(400, f'"detail" must be text of at most {DETAIL_LENGTH} characters.')
    facts = _job(settings, int(job_id))  # type: ignore[arg-type]
    if isinstance(facts, JsonAnswer):
        return facts
    state, _claimed = facts
    if state.provider.lower() != address.lower():
        return refusal(403, f"{address} is not the accepted provider of job {job_id}.")
    if state.status not in _REPORTABLE:
        return refusal(409, f"Job {job_id} is {state.status.replace('_', ' ')}: no more progress.")
    beat = Heartbeat(
        job_id=int(job_id),  # type: ignore[arg-type]
        provider=address.lower(),
        stage=str(stage),
        done=int(done),  # type: ignore[arg-type]
        total=int(total),  # type: ignore[arg-type]
        detail=detail,
        reported_at=int(time.time()),
    )
    record_heartbeat(get_engine(settings.database_url), beat)
    return JsonAnswer(200, {"stored": True})


def reproduction_answer(settings: Settings, address: str, body: object) -> JsonAnswer:
    """Store a verifier's reproduced score of a job's submitted result."""
    if not isinstance(body, dict):
        return refusal(
            400, "Send a JSON object with job_id, reproduced_units, agrees, metrics_cid."
        )
    job_id = _integer(body, "job_id", 1, 2**63 - 1)
    reproduced = _integer(body, "reproduced_units", 0, SCORE_SCALE)
    for checked in (job_id, reproduced):
        if isinstance(checked, JsonAnswer):
            return checked
    retrained: int | None = None
    if body.get("retrained_units") is not None:
        retrained_units = _integer(body, "retrained_units", 0, SCORE_SCALE)
        if isinstance(retrained_units, JsonAnswer):
            return retrained_units
        retrained = retrained_units
    agrees, metrics_cid = body.get("agrees"), body.get("metrics_cid")
    if not isinstance(agrees, bool):
        return refusal(400, '"agrees" must be true or false.')
    if not is_cid(metrics_cid):
        return refusal(400, '"metrics_cid" must be a CID.')
    facts = _job(settings, int(job_id))  # type: ignore[arg-type]
    if isinstance(facts, JsonAnswer):
        return facts
    state, claimed = facts
    if state.status in ("open", "in_progress", "cancelled"):
        return refusal(409, f"Job {job_id} has no submitted result to reproduce.")
    if state.provider.lower() == address.lower():
        return refusal(403, "A provider does not verify its own result.")
    record_reproduction(
        get_engine(settings.database_url),
        Reproduction(
            job_id=int(job_id),  # type: ignore[arg-type]
            verifier=address.lower(),
            claimed_units=claimed,
            reproduced_units=int(reproduced),  # type: ignore[arg-type]
            retrained_units=retrained,
            agrees=agrees,
            metrics_cid=str(metrics_cid),
            reported_at=int(time.time()),
        ),
    )
    return JsonAnswer(200, {"stored": True, "claimed_units": claimed})


def content_answer(settings: Settings, raw: bytes) -> JsonAnswer:
    """Store `raw` (already size-checked by the route) and answer its CID."""
    if not raw:
        return refusal(400, "The body is empty: send the file's bytes.")
    if len(raw) > MAX_CONTENT_BYTES:
        return refusal(413, f"The file is over {MAX_CONTENT_BYTES:,} bytes.")
    try:
        cid = LocalContentStore(settings.content_dir).put(raw)
    except ContentError as error:
        return refusal(507, f"The content store refused the file: {error}")
    return JsonAnswer(200, {"cid": cid, "size": len(raw)})
