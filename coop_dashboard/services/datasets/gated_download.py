"""`GET /api/datasets/<id>/file`: a dataset's data file, only for who may have it.

Allowed: the dataset's contributor, or an address holding a valid pass to it (any
purpose) in the index AND on chain (`DataLicensing.hasAccess` at the latest block), so
an index that has not yet seen a revocation or expiry never grants access. The pass's
validity is judged at the chain's time, not this machine's. Everyone else gets a JSON
refusal naming what is missing. Served bytes come from the content store, verified
piece by piece, one HTTP range if asked (services.byte_ranges); each served download is
written to the access log before the first byte leaves. Blocking (database, RPC, disk):
call `licensed_file` from a worker thread.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from coop_dashboard.chain.data_licensing import LICENSING_CONTRACT, has_access
from coop_dashboard.config import Settings
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.db.dataset_queries import get_dataset
from coop_dashboard.db.engine import get_engine
from coop_dashboard.db.licensing_queries import (
    AccessLogRow,
    PassRow,
    access_pass,
    passes_of,
    record_access,
)
from coop_dashboard.errors import ChainError, ContentError
from coop_dashboard.services.byte_ranges import RangeNotSatisfiable, requested_range
from coop_dashboard.services.chain_access import chain_for
from coop_dashboard.services.content_gateway import SAFETY_HEADERS, verified_body
from coop_dashboard.services.datasets.downloads import dataset_id_of

FILE_ROUTE = "/api/datasets/{dataset_id}/file"


@dataclass(frozen=True)
class FileAnswer:
    """Status, headers, and the body: bytes, or verified pieces to stream;
    `error` is set for refusals (sent as JSON {"error": ...})."""

    status: int
    body: bytes | Iterator[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)
    error: str = ""


@dataclass(frozen=True)
class Grant:
    """Why an address may download: its pass, or None for the contributor."""

    pass_row: PassRow | None


def _refused(status: int, message: str, **headers: str) -> FileAnswer:
    return FileAnswer(status, headers={"Cache-Control": "no-store", **headers}, error=message)


def _day(unix: int) -> str:
    return datetime.fromtimestamp(unix, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _why_no_pass(passes: list[PassRow], address: str, dataset_id: int, now: int) -> str:
    """The refusal for an address without a valid pass, naming what is missing."""
    own = [row for row in passes if row.dataset_id == dataset_id]
    if any(row.revoked for row in own):
        return (
            f"Your pass to dataset {dataset_id} was revoked by governance; "
            "a revoked pass gives no access."
        )
    if own:
        latest = max(row.expires_at for row in own)
        return f"Your pass to dataset {dataset_id} expired on {_day(latest)}; renew it."
    others = sorted({row.dataset_id for row in passes if row.valid_at(now)})
    if others:
        listed = ", ".join(str(other) for other in others[:10])
        return (
            f"{address} holds passes to dataset(s) {listed}, not to dataset {dataset_id}; "
            "buy a pass to this dataset."
        )
    return f"{address} holds no access pass to dataset {dataset_id}; buy one to download it."


def _grant(settings: Settings, address: str, dataset_id: int, contributor: str) -> Grant | str:
    """Who may download: a Grant, or the sentence saying what is missing."""
    if address.lower() == contributor.lower():
        return Grant(None)
    chain = chain_for(settings)
    now = int(chain.w3.eth.get_block("latest")["timestamp"])
    engine = get_engine(settings.database_url)
    held = access_pass(engine, address, dataset_id, None, now)
    if held is None:
        return _why_no_pass(passes_of(engine, address), address, dataset_id, now)
    licensing = chain.deployment.contract(chain.w3, LICENSING_CONTRACT)
    if not has_access(licensing, address, dataset_id, held.purpose):
        return (
            f"The chain does not confirm your pass to dataset {dataset_id} (it was revoked "
            "or expired moments ago and the index has not caught up)."
        )
    return Grant(held)


def licensed_file(
    settings: Settings,
    address: str,
    id_text: str,
    range_header: str | None = None,
    *,
    via: str = "api",
) -> FileAnswer:
    """The answer to `GET /api/datasets/<id_text>/file` for signed-in `address`:
    404 unknown dataset, 403 no valid pass, 416 a range past the end, 200/206 the bytes.
    `via` is logged: "browser" for the app's session, "api" for a script's bearer token."""
    dataset_id = dataset_id_of(id_text)
    engine = get_engine(settings.database_url)
    facts = None if dataset_id is None else get_dataset(engine, dataset_id)
    if dataset_id is None or facts is None:
        return _refused(404, f"There is no dataset {id_text[:40]!r} in the index.")
    try:
        grant = _grant(settings, address, dataset_id, facts.contributor)
    except (ChainError, OSError, ValueError) as exc:
        return _refused(503, f"The chain cannot confirm access right now ({exc}); try again.")
    if isinstance(grant, str):
        return _refused(403, grant)
    cid = facts.summary.data_cid
    store = LocalContentStore(settings.content_dir)
    try:
        if not store.has(cid):
            return _refused(404, f"Dataset {dataset_id}'s data file is not in this content store.")
        size = store.size(cid)
        try:
            wanted = requested_range(range_header, size)
        except RangeNotSatisfiable as unsatisfiable:
            return _refused(
                416, str(unsatisfiable), **{"Content-Range": unsatisfiable.content_range}
            )
        offset, length = (0, size) if wanted is None else (wanted.offset, wanted.length)
        body = verified_body(store, cid, offset, length)
    except ContentError as exc:
        return _refused(502, f"Dataset {dataset_id}'s data file cannot be served: {exc}")
    held = grant.pass_row
    record_access(
        engine,
        AccessLogRow(
            dataset_id=dataset_id,
            account=address,
            token_id=held.token_id if held else None,
            purpose=held.purpose if held else None,
            via=via,
            byte_start=offset,
            byte_end=offset + length,
            served_at=int(time.time()),
        ),
    )
    headers = {
        **SAFETY_HEADERS,
        "Content-Type": "application/octet-stream",
        "Content-Disposition": f'attachment; filename="dataset-{dataset_id}"',
        "Content-Length": str(length),
        "Accept-Ranges": "bytes",
        "Cache-Control": "private, no-store",
        "ETag": f'"{cid}"',
    }
    if wanted is None:
        return FileAnswer(200, body, headers)
    headers["Content-Range"] = wanted.content_range
    return FileAnswer(206, body, headers)
