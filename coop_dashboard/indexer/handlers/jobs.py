"""JobBoard events -> job tables, and each job's present (`job_state`) recomputed from them.

Handlers turn each log into event rows (pure). `JobStates` then recomputes
`job_state` for every job the batch touched by replaying that job's event rows
in chain order; on a rewind it recomputes the jobs the rewound rows touched
from the rows at or below the fork. The replay follows JobBoard's own
transitions, so the row is a function of the event rows alone, whatever the
order of batches and rewinds. Settings go to gov_setting_change like every
contract's; an asset's allowance as "<asset> <bool>". Role grants and
revocations (arbiters) go to job_role_event, whose fold says who holds a role.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from eth_utils import keccak
from sqlalchemy import Connection, Table, and_, delete, insert, or_, select, true, update

from coop_dashboard.chain.data_licensing import purpose_name
from coop_dashboard.chain.job_board import credit_reason_name
from coop_dashboard.db.bulk_insert import bulk_insert
from coop_dashboard.db.chain_tables import (
    GovernanceSettingChange,
    IndexedContract,
    TreasuryMovement,
    table_of,
)
from coop_dashboard.db.job_tables import (
    JOB_EVENT_TABLES,
    JOB_STATE_TABLES,
    JobBidEvent,
    JobChallenge,
    JobCredit,
    JobDataset,
    JobLifecycleEvent,
    JobModel,
    JobPosting,
    JobResolution,
    JobResult,
    JobRoleEvent,
    JobSlash,
    JobState,
    JobWithdrawal,
)
from coop_dashboard.db.treasury_categories import Category
from coop_dashboard.evm import ZERO_ADDRESS
from coop_dashboard.indexer.decoders import DecodedLog
from coop_dashboard.indexer.handlers.governor import setting_change_handler
from coop_dashboard.indexer.handlers.registry import (
    HandlerContext,
    HandlerRegistry,
    Row,
    RowSink,
    log_fields,
)

CONTRACT = "JobBoard"
# Bound parameters per SELECT ... IN (...): well under SQLite's limit.
_IN_CHUNK = 500
SETTING_EVENTS: dict[str, tuple[str, str, str]] = {
    "ChallengeBondSet": ("job_challenge_bond", "oldBond", "newBond"),
    "ChallengerShareSet": ("job_challenger_share_bps", "oldShareBps", "newShareBps"),
    "EscalationPeriodSet": ("job_escalation_period", "oldPeriod", "newPeriod"),
}
ASSET_SETTING = "job_asset_allowed"
# JobBoard's roles by name (db/job_queries.arbiters reads "arbiter"); others stay hex.
ARBITER_ROLE = "0x" + keccak(text="ARBITER_ROLE").hex()
ADMIN_ROLE = "0x" + "00" * 32
ROLE_NAMES = {ARBITER_ROLE: "arbiter", ADMIN_ROLE: "admin"}


# ------------------------------------------------------------------ handlers


def on_job_posted(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    args = log.args
    job_id = int(args["jobId"])
    sink.add(
        JobPosting,
        log_fields(log)
        | {
            "job_id": job_id,
            "poster": args["poster"],
            "asset": args["asset"],
            "spec_cid": args["specCid"],
            "purpose": purpose_name(int(args["purpose"])),
            "bounty": int(args["bounty"]),
            "bidding_deadline": int(args["biddingDeadline"]),
            "delivery_deadline": int(args["deliveryDeadline"]),
            "minimum_stake": int(args["minimumStake"]),
            "challenge_window": int(args["challengeWindow"]),
        },
    )
    for position, dataset_id in enumerate(args["datasetIds"]):
        sink.add(
            JobDataset,
            {
                "block_number": log.block_number,
                "log_index": log.log_index,
                "position": position,
                "job_id": job_id,
                "dataset_id": int(dataset_id),
            },
        )


def _bid(log: DecodedLog, sink: RowSink, kind: str, **values: Any) -> None:
    sink.add(
        JobBidEvent,
        log_fields(log)
        | {"job_id": int(log.args["jobId"]), "provider": log.args["provider"], "kind": kind}
        | values,
    )


def on_bid_placed(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    args = log.args
    _bid(
        log,
        sink,
        "placed",
        price=int(args["price"]),
        delivery_time=int(args["deliveryTime"]),
        stake=int(args["stake"]),
    )


def on_bid_withdrawn(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    _bid(log, sink, "withdrawn", stake=int(log.args["stake"]))


def on_bid_accepted(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    args = log.args
    _bid(
        log,
        sink,
        "accepted",
        price=int(args["price"]),
        delivery_time=int(args["deliveryDeadline"]),
    )


def _lifecycle(log: DecodedLog, sink: RowSink, kind: str, **values: Any) -> None:
    sink.add(
        JobLifecycleEvent,
        log_fields(log) | {"job_id": int(log.args["jobId"]), "kind": kind} | values,
    )


def on_job_cancelled(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    _lifecycle(log, sink, "cancelled", refunded=int(log.args["refunded"]))


def on_job_reopened(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    args = log.args
    _lifecycle(
        log,
        sink,
        "reopened",
        bidding_deadline=int(args["biddingDeadline"]),
        delivery_deadline=int(args["deliveryDeadline"]),
    )


def on_job_failed(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    args = log.args
    _lifecycle(log, sink, "failed", provider=args["provider"], refunded=int(args["refunded"]))


def on_job_finalized(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    args = log.args
    _lifecycle(
        log,
        sink,
        "finalized",
        provider=args["provider"],
        paid=int(args["paid"]),
        refunded=int(args["refunded"]),
    )


def on_result_submitted(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    args = log.args
    sink.add(
        JobResult,
        log_fields(log)
        | {
            "job_id": int(args["jobId"]),
            "provider": args["provider"],
            "checkpoint_cid": args["checkpointCid"],
            "metrics_cid": args["metricsCid"],
            "claimed_score": int(args["claimedScore"]),
            "challenge_ends_at": int(args["challengeEndsAt"]),
        },
    )


def on_result_challenged(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    args = log.args
    sink.add(
        JobChallenge,
        log_fields(log)
        | {
            "job_id": int(args["jobId"]),
            "challenger": args["challenger"],
            "bond": int(args["bond"]),
            "evidence_cid": args["evidenceCid"],
            "escalates_at": int(args["escalatesAt"]),
        },
    )


def on_challenge_resolved(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    args = log.args
    sink.add(
        JobResolution,
        log_fields(log)
        | {
            "job_id": int(args["jobId"]),
            "resolver": args["resolver"],
            "provider_upheld": bool(args["providerUpheld"]),
            "by_governance": bool(args["byGovernance"]),
            "reason_cid": args["reasonCid"],
        },
    )


def on_provider_slashed(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    args = log.args
    sink.add(
        JobSlash,
        log_fields(log)
        | {
            "job_id": int(args["jobId"]),
            "provider": args["provider"],
            "to_challenger": int(args["toChallenger"]),
            "to_treasury": int(args["toTreasury"]),
        },
    )


def on_model_recorded(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    args = log.args
    sink.add(
        JobModel,
        log_fields(log)
        | {
            "model_id": int(args["modelId"]),
            "job_id": int(args["jobId"]),
            "provider": args["provider"],
            "checkpoint_digest": args["checkpointDigest"],
            "metrics_digest": args["metricsDigest"],
            "purpose": purpose_name(int(args["purpose"])),
        },
    )


def on_payout_credited(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    args = log.args
    sink.add(
        JobCredit,
        log_fields(log)
        | {
            "job_id": int(args["jobId"]),
            "account": args["account"],
            "asset": args["asset"],
            "amount": int(args["amount"]),
            "reason": credit_reason_name(int(args["reason"])),
        },
    )


def on_withdrawn(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    args = log.args
    sink.add(
        JobWithdrawal,
        log_fields(log)
        | {"account": args["account"], "asset": args["asset"], "amount": int(args["amount"])},
    )


def on_asset_allowed_set(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    args = log.args
    allowed = str(bool(args["allowed"])).lower()
    sink.add(
        GovernanceSettingChange,
        log_fields(log)
        | {
            "contract": log.address,
            "setting": ASSET_SETTING,
            # The event carries no previous value: an allowance only ever flips.
            "old_value": f"{args['asset']} {'false' if allowed == 'true' else 'true'}",
            "new_value": f"{args['asset']} {allowed}",
        },
    )


def _role_handler(granted: bool) -> Any:
    def on_role(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
        args = log.args
        sink.add(
            JobRoleEvent,
            log_fields(log)
            | {
                "role": ROLE_NAMES.get(args["role"], args["role"]),
                "account": args["account"],
                "granted": granted,
                "sender": args["sender"],
            },
        )

    return on_role


# ------------------------------------------------------------------- states

# The tables a job's state is replayed from (in chain order, merged).
_REPLAYED: tuple[type[Any], ...] = (
    JobPosting,
    JobBidEvent,
    JobLifecycleEvent,
    JobResult,
    JobChallenge,
    JobSlash,
    JobModel,
)


@dataclass
class _Replay:
    """A job's facts while its events are replayed in chain order."""

    row: Row = field(default_factory=dict)
    bids: dict[str, bool] = field(default_factory=dict)  # provider -> active
    stakes: dict[str, int] = field(default_factory=dict)  # provider -> its active bid's stake


def _next_deadline(row: Row) -> int | None:
    """What the job waits for now: bidding, delivery, the window, the escalation."""
    return {
        "open": row["bidding_deadline"],
        "in_progress": row["delivery_deadline"],
        "in_review": row["challenge_ends_at"],
        "challenged": row["escalates_at"],
    }.get(row["status"])


def _apply(replay: _Replay, table: str, event: Any) -> None:
    """One event row onto the job's facts (JobBoard's transitions)."""
    row = replay.row
    if table == "job_posting":
        row.update(
            poster=event.poster,
            asset=event.asset,
            bounty=int(event.bounty),
            purpose=event.purpose,
            spec_cid=event.spec_cid,
            minimum_stake=int(event.minimum_stake),
            challenge_window=int(event.challenge_window),
            status="open",
            bidding_deadline=int(event.bidding_deadline),
            delivery_deadline=int(event.delivery_deadline),
            posted_block=int(event.block_number),
            posted_at=int(event.block_timestamp),
        )
    elif table == "job_bid_event":
        if event.kind == "placed":
            replay.bids[event.provider] = True
            replay.stakes[event.provider] = int(event.stake)
        elif event.kind == "withdrawn":
            replay.bids[event.provider] = False
        elif event.kind == "accepted":
            replay.bids[event.provider] = False
            row.update(
                status="in_progress",
                provider=event.provider,
                price=int(event.price),
                stake=replay.stakes.get(event.provider),
                delivery_deadline=int(event.delivery_time),
            )
    elif table == "job_lifecycle_event":
        if event.kind == "cancelled":
            row["status"] = "cancelled"
        elif event.kind == "reopened":
            row.update(
                status="open",
                provider=None,
                price=None,
                stake=None,
                challenge_ends_at=None,
                escalates_at=None,
                claimed_score=None,
                bidding_deadline=int(event.bidding_deadline),
                delivery_deadline=int(event.delivery_deadline),
            )
        elif event.kind == "failed":
            row.update(status="failed", stake=None)
        elif event.kind == "finalized":
            row.update(status="completed", stake=None)
    elif table == "job_result":
        row.update(
            status="in_review",
            claimed_score=int(event.claimed_score),
            challenge_ends_at=int(event.challenge_ends_at),
        )
    elif table == "job_challenge":
        row.update(status="challenged", escalates_at=int(event.escalates_at))
    elif table == "job_slash":
        row["stake"] = None
    elif table == "job_model":
        row["model_id"] = int(event.model_id)
    row["updated_at"] = max(int(row.get("updated_at") or 0), int(event.block_timestamp))


def _state_row(job_id: int, replay: _Replay, datasets: list[int]) -> Row:
    row: Row = {
        "job_id": job_id,
        "provider": None,
        "price": None,
        "stake": None,
        "challenge_ends_at": None,
        "escalates_at": None,
        "claimed_score": None,
        "model_id": None,
    } | replay.row
    row["bid_count"] = sum(1 for active in replay.bids.values() if active)
    row["next_deadline"] = _next_deadline(row)
    row["dataset_ids"] = json.dumps(datasets)
    words = [
        f"#{job_id}",
        row["spec_cid"],
        row["poster"],
        row["provider"] or "",
        row["purpose"],
        *(f"dataset:{d}" for d in datasets),
    ]
    row["search_text"] = " ".join(str(word) for word in words).lower()
    return row


def _chunks(items: Sequence[int], size: int = _IN_CHUNK) -> Iterable[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _upto(table: Table, block: int | None) -> Any:
    return table.c.block_number <= block if block is not None else true()


class JobStates:
    """job_state, recomputed for the jobs a batch or a rewind touched."""

    def __init__(self) -> None:
        self._replayed = [table_of(model) for model in _REPLAYED]
        self._datasets = table_of(JobDataset)
        self._states = table_of(JobState)

    def apply(self, connection: Connection, sink: RowSink) -> None:
        ids: set[int] = set()
        for model in _REPLAYED:
            ids.update(int(row["job_id"]) for row in sink.of(model))
        self.refresh(connection, ids, None)

    def revert(self, connection: Connection, block: int) -> None:
        ids: set[int] = set()
        for table in self._replayed:
            ids.update(
                int(value)
                for (value,) in connection.execute(
                    select(table.c.job_id).where(table.c.block_number > block)
                )
            )
        self.refresh(connection, ids, block)

    def refresh(self, connection: Connection, ids: set[int], block: int | None) -> None:
        """Recompute the state of `ids` from event rows at or below `block` (None: all)."""
        for chunk in _chunks(sorted(ids)):
            events: dict[int, list[tuple[int, int, str, Any]]] = defaultdict(list)
            for table in self._replayed:
                statement = select(table).where(table.c.job_id.in_(chunk), _upto(table, block))
                for event in connection.execute(statement):
                    position = (int(event.block_number), int(event.log_index))
                    events[int(event.job_id)].append((*position, table.name, event))
            datasets: dict[int, list[tuple[int, int]]] = defaultdict(list)
            d = self._datasets
            statement = select(d.c.job_id, d.c.position, d.c.dataset_id).where(
                d.c.job_id.in_(chunk), _upto(d, block)
            )
            for job_id, position, dataset_id in connection.execute(statement):
                datasets[int(job_id)].append((int(position), int(dataset_id)))
            states: list[Row] = []
            for job_id, found in events.items():
                found.sort(key=lambda item: (item[0], item[1]))
                if found[0][2] != "job_posting":
                    continue  # the posting was rewound away (or is not indexed)
                replay = _Replay()
                for _, _, table_name, event in found:
                    _apply(replay, table_name, event)
                ordered = [dataset for _, dataset in sorted(datasets.get(job_id, []))]
                states.append(_state_row(job_id, replay, ordered))
            connection.execute(delete(self._states).where(self._states.c.job_id.in_(chunk)))
            bulk_insert(connection, self._states, states)


# The row holding the slashed share split off a JobBoard withdrawal: its own key below
# every log index and every synthesised one (treasury_eth uses -(1 + tx index) and -2**31).
_SPLIT_LOG_INDEX_BASE = -(2**30)


class TreasuryJobWithdrawals:
    """Files the treasury's share of slashed stakes apart from its bounty refunds.

    The treasury withdraws all its JobBoard credits in an asset at once; the classifier
    files the withdrawal as bounty refunds. Its credits say how much of it were slash
    shares (PayoutCredited reason "slash") not yet withdrawn: that part becomes a
    STAKE_SLASHED row (the withdrawal's own row when all of it, else a second row of
    the same transaction). The batch's rows are in the database when this runs; a
    rewind deletes them with their block, so `revert` has nothing to undo.
    """

    def __init__(self) -> None:
        self._movements = table_of(TreasuryMovement)
        self._credits = table_of(JobCredit)
        self._contracts = table_of(IndexedContract)

    def apply(self, connection: Connection, sink: RowSink) -> None:
        refunds = [
            row
            for row in sink.of(TreasuryMovement)
            if row.get("category") == Category.BOUNTY_REFUNDED and row["direction"] == "in"
        ]
        if not refunds:
            return
        c = self._contracts
        addresses = dict(connection.execute(select(c.c.name, c.c.address)).all())
        board, treasury = addresses.get(CONTRACT), addresses.get("CoopTimelock")
        if board is None or treasury is None:
            return
        for row in sorted(refunds, key=lambda r: (r["block_number"], r["log_index"])):
            if row["counterparty"] == board:
                self._split(connection, row, board, treasury)

    def _split(self, connection: Connection, row: Row, board: str, treasury: str) -> None:
        m, k = self._movements, self._credits
        position = (row["block_number"], row["log_index"])
        asset = ZERO_ADDRESS if row["asset"] == "eth" else row["asset"]
        before = or_(
            k.c.block_number < position[0],
            and_(k.c.block_number == position[0], k.c.log_index < position[1]),
        )
        credited = sum(
            int(amount)
            for (amount,) in connection.execute(
                select(k.c.amount).where(
                    k.c.account == treasury, k.c.asset == asset, k.c.reason == "slash", before
                )
            )
        )
        booked = sum(
            int(amount)
            for (amount,) in connection.execute(
                select(m.c.amount).where(
                    m.c.category == Category.STAKE_SLASHED,
                    m.c.counterparty == board,
                    m.c.asset == row["asset"],
                    m.c.block_number <= position[0],
                )
            )
        )
        slashed = min(int(row["amount"]), credited - booked)
        if slashed <= 0:
            return
        key = and_(m.c.block_number == position[0], m.c.log_index == position[1])
        if slashed == int(row["amount"]):
            connection.execute(update(m).where(key).values(category=Category.STAKE_SLASHED))
            return
        connection.execute(update(m).where(key).values(amount=int(row["amount"]) - slashed))
        split = {column.name: row.get(column.name) for column in m.columns}
        split |= {
            "log_index": _SPLIT_LOG_INDEX_BASE - position[1],
            "amount": slashed,
            "category": Category.STAKE_SLASHED,
        }
        connection.execute(insert(m).values(**split))

    def revert(self, connection: Connection, block: int) -> None:
        """Nothing: the rows it changed or added go with their block (an event table)."""


def register_job_board(registry: HandlerRegistry, contract: str = CONTRACT) -> None:
    registry.register(contract, "JobPosted", on_job_posted)
    registry.register(contract, "BidPlaced", on_bid_placed)
    registry.register(contract, "BidWithdrawn", on_bid_withdrawn)
    registry.register(contract, "BidAccepted", on_bid_accepted)
    registry.register(contract, "JobCancelled", on_job_cancelled)
    registry.register(contract, "JobReopened", on_job_reopened)
    registry.register(contract, "ResultSubmitted", on_result_submitted)
    registry.register(contract, "ResultChallenged", on_result_challenged)
    registry.register(contract, "ChallengeResolved", on_challenge_resolved)
    registry.register(contract, "ProviderSlashed", on_provider_slashed)
    registry.register(contract, "JobFailed", on_job_failed)
    registry.register(contract, "JobFinalized", on_job_finalized)
    registry.register(contract, "ModelRecorded", on_model_recorded)
    registry.register(contract, "PayoutCredited", on_payout_credited)
    registry.register(contract, "Withdrawn", on_withdrawn)
    registry.register(contract, "AssetAllowedSet", on_asset_allowed_set)
    registry.register(contract, "RoleGranted", _role_handler(True))
    registry.register(contract, "RoleRevoked", _role_handler(False))
    on_setting = setting_change_handler(SETTING_EVENTS)
    for event in SETTING_EVENTS:
        registry.register(contract, event, on_setting)
    registry.add_event_tables(*JOB_EVENT_TABLES, GovernanceSettingChange)
    registry.add_aggregate(JobStates(), *JOB_STATE_TABLES)
    registry.add_aggregate(TreasuryJobWithdrawals())
