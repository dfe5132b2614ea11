"""Tables the compute nodes report into over the HTTP API (api/nodes.py).

node_heartbeat: a provider's latest word on a job it works on (stage, progress,
detail), one row per (job, provider), overwritten; the job page shows it.
node_reproduction: a verifier's re-run of a submitted result (its score next to
the claimed one, whether it re-trained, its metrics CID), one row per (job,
verifier), overwritten by a later re-run. Addresses lowercase 0x-hex; scores in
millionths like JobBoard's claimedScore; times unix seconds (wall clock).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, UniqueConstraint
from sqlmodel import Field, SQLModel

ADDRESS_LENGTH = 42
STAGE_LENGTH = 24
DETAIL_LENGTH = 240
CID_LENGTH = 128


class NodeHeartbeat(SQLModel, table=True):
    """The latest heartbeat of `provider` on `job_id`."""

    __tablename__ = "node_heartbeat"
    __table_args__ = (
        UniqueConstraint("job_id", "provider", name="uq_node_heartbeat_job_provider"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(sa_type=BigInteger, index=True)
    provider: str = Field(max_length=ADDRESS_LENGTH, index=True)
    stage: str = Field(max_length=STAGE_LENGTH)  # bidding, downloading, training, ...
    done: int = Field(sa_type=BigInteger)  # progress within the stage (e.g. iterations)
    total: int = Field(sa_type=BigInteger)  # 0: no measure of progress
    detail: str = Field(max_length=DETAIL_LENGTH)
    reported_at: int = Field(sa_type=BigInteger)


class NodeReproduction(SQLModel, table=True):
    """A verifier's reproduction of a job's submitted result."""

    __tablename__ = "node_reproduction"
    __table_args__ = (
        UniqueConstraint("job_id", "verifier", name="uq_node_reproduction_job_verifier"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(sa_type=BigInteger, index=True)
    verifier: str = Field(max_length=ADDRESS_LENGTH)
    claimed_units: int = Field(sa_type=BigInteger)
    reproduced_units: int = Field(sa_type=BigInteger)
    retrained_units: int | None = Field(default=None, sa_type=BigInteger)  # None: not re-trained
    agrees: bool
    metrics_cid: str = Field(max_length=CID_LENGTH)
    reported_at: int = Field(sa_type=BigInteger)
