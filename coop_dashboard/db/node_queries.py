"""Heartbeats and reproductions of the compute nodes: writes for the HTTP API, reads for
the job and provider pages (one function per query). Blocking: call from a thread."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from coop_dashboard.db.node_tables import NodeHeartbeat, NodeReproduction


@dataclass(frozen=True)
class Heartbeat:
    """A provider's latest heartbeat on a job (read model for pages)."""

    job_id: int
    provider: str
    stage: str
    done: int
    total: int
    detail: str
    reported_at: int


@dataclass(frozen=True)
class Reproduction:
    """A verifier's reproduction of a job's result (scores in millionths)."""

    job_id: int
    verifier: str
    claimed_units: int
    reproduced_units: int
    retrained_units: int | None
    agrees: bool
    metrics_cid: str
    reported_at: int


def _heartbeat(row: NodeHeartbeat) -> Heartbeat:
    return Heartbeat(
        row.job_id, row.provider, row.stage, row.done, row.total, row.detail, row.reported_at
    )


def _reproduction(row: NodeReproduction) -> Reproduction:
    return Reproduction(
        row.job_id,
        row.verifier,
        row.claimed_units,
        row.reproduced_units,
        row.retrained_units,
        row.agrees,
        row.metrics_cid,
        row.reported_at,
    )


def record_heartbeat(engine: Engine, beat: Heartbeat) -> None:
    """Store `beat` as the provider's latest on the job (replacing the one before)."""
    with Session(engine) as session:
        row = session.exec(
            select(NodeHeartbeat).where(
                NodeHeartbeat.job_id == beat.job_id, NodeHeartbeat.provider == beat.provider
            )
        ).first()
        if row is None:
            row = NodeHeartbeat(**asdict(beat))
        else:
            row.sqlmodel_update(asdict(beat))
        session.add(row)
        session.commit()


def latest_heartbeat(engine: Engine, job_id: int, provider: str | None = None) -> Heartbeat | None:
    """The newest heartbeat on `job_id` (from `provider` if given, lowercase 0x-hex)."""
    query = select(NodeHeartbeat).where(NodeHeartbeat.job_id == job_id)
    if provider is not None:
        query = query.where(NodeHeartbeat.provider == provider.lower())
    query = query.order_by(col(NodeHeartbeat.reported_at).desc(), col(NodeHeartbeat.id).desc())
    with Session(engine) as session:
        row = session.exec(query.limit(1)).first()
        return None if row is None else _heartbeat(row)


def provider_last_heartbeat(engine: Engine, provider: str) -> Heartbeat | None:
    """The newest heartbeat of `provider` on any job (the provider profile's "last seen")."""
    query = (
        select(NodeHeartbeat)
        .where(NodeHeartbeat.provider == provider.lower())
        .order_by(col(NodeHeartbeat.reported_at).desc(), col(NodeHeartbeat.id).desc())
        .limit(1)
    )
    with Session(engine) as session:
        row = session.exec(query).first()
        return None if row is None else _heartbeat(row)


def record_reproduction(engine: Engine, reproduction: Reproduction) -> None:
    """Store a verifier's reproduction of a job (replacing its earlier one)."""
    with Session(engine) as session:
        row = session.exec(
            select(NodeReproduction).where(
                NodeReproduction.job_id == reproduction.job_id,
                NodeReproduction.verifier == reproduction.verifier,
            )
        ).first()
        if row is None:
            row = NodeReproduction(**asdict(reproduction))
        else:
            row.sqlmodel_update(asdict(reproduction))
        session.add(row)
        session.commit()


def reproductions_of(engine: Engine, job_id: int) -> list[Reproduction]:
    """Every verifier's reproduction of `job_id`, newest first (the job page's column)."""
    query = (
        select(NodeReproduction)
        .where(NodeReproduction.job_id == job_id)
        .order_by(col(NodeReproduction.reported_at).desc(), col(NodeReproduction.id).desc())
    )
    with Session(engine) as session:
        return [_reproduction(row) for row in session.exec(query)]
