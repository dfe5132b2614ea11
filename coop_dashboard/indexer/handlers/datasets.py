"""DatasetRegistry events -> dataset tables, and the present state recomputed from them.

Handlers turn each log into event rows (pure). `DatasetStates` then recomputes
`dataset_state`, `dataset_current_attestation` and `dataset_curator` for every
dataset and account the batch touched, from the event tables themselves; on a
rewind it recomputes what the rewound rows touched from the rows at or below
the fork. Recomputing (instead of applying deltas) keeps status machines, the
current attestation per curator and the mean score exact whatever the order of
batches and rewinds: the state is a function of the event rows alone.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from eth_utils import keccak
from sqlalchemy import Connection, Table, delete, func, select, true

from coop_dashboard.chain.dataset_registry import transformation_name
from coop_dashboard.db.bulk_insert import bulk_insert
from coop_dashboard.db.chain_tables import GovernanceSettingChange, table_of
from coop_dashboard.db.dataset_cards import card_columns
from coop_dashboard.db.dataset_tables import (
    DATASET_EVENT_TABLES,
    DATASET_STATE_TABLES,
    DatasetAttestationEvent,
    DatasetCard,
    DatasetCurator,
    DatasetCurrentAttestation,
    DatasetLineage,
    DatasetParent,
    DatasetRecord,
    DatasetRoleEvent,
    DatasetState,
    DatasetStatusEvent,
    DatasetTag,
)
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

CONTRACT = "DatasetRegistry"
CURATOR_ROLE = "0x" + keccak(text="CURATOR_ROLE").hex()
ADMIN_ROLE = "0x" + "00" * 32
_ROLE_NAMES = {CURATOR_ROLE: "curator", ADMIN_ROLE: "admin"}
# Bound parameters per SELECT ... IN (...): well under SQLite's limit.
_IN_CHUNK = 500
# Settings events -> the setting's name in gov_setting_change.
SETTING_EVENTS: dict[str, tuple[str, str, str]] = {
    "MinimumBondSet": ("dataset_minimum_bond", "oldMinimumBond", "newMinimumBond"),
    "BondWaitingPeriodSet": (
        "dataset_bond_waiting_period",
        "oldWaitingPeriod",
        "newWaitingPeriod",
    ),
}


# ------------------------------------------------------------------ handlers


def on_dataset_registered(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    args = log.args
    dataset_id = int(args["datasetId"])
    tags = [str(tag) for tag in args["tags"]]
    sink.add(
        DatasetRecord,
        log_fields(log)
        | {
            "dataset_id": dataset_id,
            "contributor": args["contributor"],
            "supersedes": int(args["supersedes"]) or None,
            "content_digest": args["contentDigest"],
            "data_cid": args["dataCid"],
            "card_cid": args["cardCid"],
            "modality": args["modality"],
            "tags": json.dumps(tags),
            "bond": args["bond"],
            "bond_unlocks_at": args["bondUnlocksAt"],
        },
    )
    for position, tag in enumerate(tags):
        sink.add(
            DatasetTag,
            {
                "block_number": log.block_number,
                "log_index": log.log_index,
                "position": position,
                "dataset_id": dataset_id,
                "tag": tag,
            },
        )


def on_lineage_recorded(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    args = log.args
    dataset_id = int(args["datasetId"])
    transformation = transformation_name(int(args["transformation"]))
    parents = [int(parent) for parent in args["parents"]]
    sink.add(
        DatasetLineage,
        {
            "block_number": log.block_number,
            "log_index": log.log_index,
            "dataset_id": dataset_id,
            "transformation": transformation,
            "note_cid": args["noteCid"],
            "parent_count": len(parents),
        },
    )
    for position, parent in enumerate(parents):
        sink.add(
            DatasetParent,
            {
                "block_number": log.block_number,
                "log_index": log.log_index,
                "position": position,
                "child_id": dataset_id,
                "parent_id": parent,
                "transformation": transformation,
            },
        )


def _status_event(log: DecodedLog, sink: RowSink, kind: str, **values: Any) -> None:
    sink.add(
        DatasetStatusEvent,
        log_fields(log) | {"dataset_id": int(log.args["datasetId"]), "kind": kind} | values,
    )


def on_superseded(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    _status_event(log, sink, "superseded", related_id=int(log.args["supersededBy"]))


def on_licensing_paused(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    args = log.args
    _status_event(
        log, sink, "licensing_paused", actor=args["by"], by_governance=args["byGovernance"]
    )


def on_licensing_resumed(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    _status_event(log, sink, "licensing_resumed", actor=log.args["by"])


def on_delisted(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    args = log.args
    _status_event(
        log,
        sink,
        "delisted",
        by_governance=True,
        reason_cid=args["reasonCid"],
        amount=args["slashedBond"],
    )


def on_bond_withdrawn(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    _status_event(log, sink, "bond_withdrawn", actor=log.args["to"], amount=log.args["amount"])


def on_transfer(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    args = log.args
    if args["from"] == ZERO_ADDRESS:
        return  # the mint: DatasetRegistered names the contributor
    sink.add(
        DatasetStatusEvent,
        log_fields(log)
        | {"dataset_id": int(args["tokenId"]), "kind": "transferred", "actor": args["to"]},
    )


def on_attestation(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    """DatasetAttested (a first attestation) or AttestationUpdated (a replacement)."""
    args = log.args
    sink.add(
        DatasetAttestationEvent,
        log_fields(log)
        | {
            "dataset_id": int(args["datasetId"]),
            "curator": args["curator"],
            "kind": "updated" if log.event == "AttestationUpdated" else "attested",
            "score": args["score"],
            "previous_score": args.get("previousScore"),
            "note_cid": args["noteCid"],
        },
    )


def _role_handler(granted: bool) -> Any:
    def on_role(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
        args = log.args
        sink.add(
            DatasetRoleEvent,
            log_fields(log)
            | {
                "role": _ROLE_NAMES.get(args["role"], args["role"]),
                "account": args["account"],
                "granted": granted,
                "sender": args["sender"],
            },
        )

    return on_role


# ------------------------------------------------------------------- states


@dataclass
class _Dataset:
    """What the state of one dataset is computed from."""

    record: Any = None
    lineage: Any = None
    events: list[Any] = field(default_factory=list)
    attestations: list[Any] = field(default_factory=list)
    children: int = 0


def _chunks(items: Sequence[Any], size: int = _IN_CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _upto(table: Table, block: int | None) -> Any:
    return table.c.block_number <= block if block is not None else true()


def _ordered(table: Table) -> tuple[Any, Any]:
    return table.c.block_number, table.c.log_index


def _current_attestations(dataset_id: int, events: list[Any]) -> list[Row]:
    current: dict[str, Row] = {}
    for event in events:
        row = current.get(event.curator)
        if row is None:
            row = {
                "dataset_id": dataset_id,
                "curator": event.curator,
                "first_attested_at": event.block_timestamp,
                "revision": 0,
            }
            current[event.curator] = row
        row["score"] = int(event.score)
        row["note_cid"] = event.note_cid
        row["attested_at"] = event.block_timestamp
        row["revision"] += 1
    return list(current.values())


def _state_row(dataset_id: int, data: _Dataset, attestations: list[Row]) -> Row:
    record, lineage = data.record, data.lineage
    owner = record.contributor
    bond = int(record.bond)
    delisted_reason: str | None = None
    paused = paused_by_governance = False
    superseded_by: int | None = None
    updated_at = int(record.block_timestamp)
    for event in data.events:
        updated_at = max(updated_at, int(event.block_timestamp))
        if event.kind == "transferred":
            owner = event.actor
        elif event.kind == "superseded":
            superseded_by = int(event.related_id)
        elif event.kind == "licensing_paused":
            paused, paused_by_governance = True, bool(event.by_governance)
        elif event.kind == "licensing_resumed":
            paused = paused_by_governance = False
        elif event.kind == "delisted":
            delisted_reason = event.reason_cid
            bond = 0
        elif event.kind == "bond_withdrawn":
            bond = 0
    for event in data.attestations:
        updated_at = max(updated_at, int(event.block_timestamp))
    if delisted_reason is not None:
        status = "delisted"
    elif paused:
        status = "licensing_paused"
    elif superseded_by is not None:
        status = "superseded"
    else:
        status = "active"
    scores = [row["score"] for row in attestations]
    tags = json.loads(record.tags)
    transformation = lineage.transformation if lineage is not None else "source"
    words = [record.modality, *tags, record.data_cid, record.card_cid, record.contributor, owner]
    return {
        "dataset_id": dataset_id,
        "contributor": record.contributor,
        "owner": owner,
        "status": status,
        "paused_by_governance": paused and paused_by_governance,
        "delisted_reason_cid": delisted_reason,
        "supersedes": record.supersedes,
        "superseded_by": superseded_by,
        "content_digest": record.content_digest,
        "data_cid": record.data_cid,
        "card_cid": record.card_cid,
        "modality": record.modality,
        "tags": record.tags,
        "transformation": transformation,
        "parent_count": lineage.parent_count if lineage is not None else 0,
        "use_count": data.children,
        "bond": bond,
        "bond_unlocks_at": record.bond_unlocks_at,
        "attestation_count": len(scores),
        # Rounded half up, in integers: the order is exact on both engines.
        "quality": (sum(scores) * 100 * 2 + len(scores)) // (2 * len(scores)) if scores else -1,
        "curator_verified": bool(scores),
        "search_text": " ".join(str(word) for word in words).lower(),
        "registered_block": record.block_number,
        "registered_at": record.block_timestamp,
        "updated_at": updated_at,
    }


class DatasetStates:
    """dataset_state, dataset_current_attestation and dataset_curator, recomputed."""

    def __init__(self) -> None:
        self._records = table_of(DatasetRecord)
        self._lineage = table_of(DatasetLineage)
        self._parents = table_of(DatasetParent)
        self._events = table_of(DatasetStatusEvent)
        self._attestations = table_of(DatasetAttestationEvent)
        self._roles = table_of(DatasetRoleEvent)
        self._states = table_of(DatasetState)
        self._current = table_of(DatasetCurrentAttestation)
        self._curators = table_of(DatasetCurator)
        self._cards = table_of(DatasetCard)

    def apply(self, connection: Connection, sink: RowSink) -> None:
        ids: set[int] = set()
        for model in (DatasetRecord, DatasetLineage, DatasetStatusEvent, DatasetAttestationEvent):
            ids.update(int(row["dataset_id"]) for row in sink.of(model))
        for edge in sink.of(DatasetParent):
            ids.add(int(edge["parent_id"]))  # its use count changed
        self.refresh(connection, ids, None)
        accounts = {row["account"] for row in sink.of(DatasetRoleEvent)}
        self.refresh_curators(connection, accounts, None)

    def revert(self, connection: Connection, block: int) -> None:
        ids: set[int] = set()
        for table in (self._records, self._lineage, self._events, self._attestations):
            ids.update(
                int(value)
                for (value,) in connection.execute(
                    select(table.c.dataset_id).where(table.c.block_number > block)
                )
            )
        p = self._parents
        ids.update(
            int(value)
            for (value,) in connection.execute(
                select(p.c.parent_id).where(p.c.block_number > block)
            )
        )
        self.refresh(connection, ids, block)
        r = self._roles
        accounts = {
            str(value)
            for (value,) in connection.execute(select(r.c.account).where(r.c.block_number > block))
        }
        self.refresh_curators(connection, accounts, block)

    def refresh(self, connection: Connection, ids: set[int], block: int | None) -> None:
        """Recompute the state of `ids` from event rows at or below `block` (None: all)."""
        for chunk in _chunks(sorted(ids)):
            datasets = self._load(connection, chunk, block)
            states: list[Row] = []
            current: list[Row] = []
            for dataset_id, data in datasets.items():
                if data.record is None:
                    continue  # rewound away (or a log of a dataset not indexed)
                attestations = _current_attestations(dataset_id, data.attestations)
                current.extend(attestations)
                states.append(_state_row(dataset_id, data, attestations))
            self._add_card_facts(connection, states)
            connection.execute(delete(self._states).where(self._states.c.dataset_id.in_(chunk)))
            connection.execute(delete(self._current).where(self._current.c.dataset_id.in_(chunk)))
            bulk_insert(connection, self._states, states)
            bulk_insert(connection, self._current, current)

    def _add_card_facts(self, connection: Connection, states: list[Row]) -> None:
        """Copy the facts of each row's card, if the card service has read it already."""
        cids = sorted({row["card_cid"] for row in states})
        facts: dict[str, dict[str, Any]] = {}
        c = self._cards
        for chunk in _chunks(cids):
            statement = select(c.c.card_cid, c.c.name, c.c.license, c.c.search_text).where(
                c.c.card_cid.in_(chunk)
            )
            for cid, name, license_name, text in connection.execute(statement):
                facts[cid] = card_columns(name, license_name, text)
        empty = card_columns(None, None, None)
        for row in states:
            row.update(facts.get(row["card_cid"], empty))

    def _load(
        self, connection: Connection, chunk: Sequence[int], block: int | None
    ) -> dict[int, _Dataset]:
        datasets: dict[int, _Dataset] = defaultdict(_Dataset)
        for table, attribute in ((self._records, "record"), (self._lineage, "lineage")):
            statement = select(table).where(table.c.dataset_id.in_(chunk), _upto(table, block))
            for row in connection.execute(statement):
                setattr(datasets[int(row.dataset_id)], attribute, row)
        for table, attribute in ((self._events, "events"), (self._attestations, "attestations")):
            statement = (
                select(table)
                .where(table.c.dataset_id.in_(chunk), _upto(table, block))
                .order_by(*_ordered(table))
            )
            for row in connection.execute(statement):
                getattr(datasets[int(row.dataset_id)], attribute).append(row)
        p = self._parents
        children = (
            select(p.c.parent_id, func.count())
            .where(p.c.parent_id.in_(chunk), _upto(p, block))
            .group_by(p.c.parent_id)
        )
        for parent_id, count in connection.execute(children):
            datasets[int(parent_id)].children = int(count)
        return datasets

    def refresh_curators(
        self, connection: Connection, accounts: set[str], block: int | None
    ) -> None:
        """Recompute who holds CURATOR_ROLE among `accounts`."""
        r = self._roles
        for chunk in _chunks(sorted(accounts)):
            holders: dict[str, int | None] = {}
            statement = (
                select(r.c.account, r.c.granted, r.c.block_timestamp)
                .where(r.c.account.in_(chunk), r.c.role == "curator", _upto(r, block))
                .order_by(*_ordered(r))
            )
            for account, granted, timestamp in connection.execute(statement):
                holders[account] = int(timestamp) if granted else None
            connection.execute(delete(self._curators).where(self._curators.c.account.in_(chunk)))
            bulk_insert(
                connection,
                self._curators,
                [
                    {"account": account, "granted_at": granted_at}
                    for account, granted_at in holders.items()
                    if granted_at is not None
                ],
            )


def register_dataset_registry(registry: HandlerRegistry, contract: str = CONTRACT) -> None:
    registry.register(contract, "DatasetRegistered", on_dataset_registered)
    registry.register(contract, "LineageRecorded", on_lineage_recorded)
    registry.register(contract, "DatasetSuperseded", on_superseded)
    registry.register(contract, "LicensingPaused", on_licensing_paused)
    registry.register(contract, "LicensingResumed", on_licensing_resumed)
    registry.register(contract, "DatasetDelisted", on_delisted)
    registry.register(contract, "BondWithdrawn", on_bond_withdrawn)
    registry.register(contract, "Transfer", on_transfer)
    registry.register(contract, "DatasetAttested", on_attestation)
    registry.register(contract, "AttestationUpdated", on_attestation)
    registry.register(contract, "RoleGranted", _role_handler(True))
    registry.register(contract, "RoleRevoked", _role_handler(False))
    on_setting_changed = setting_change_handler(SETTING_EVENTS)
    for event in SETTING_EVENTS:
        registry.register(contract, event, on_setting_changed)
    registry.add_event_tables(*DATASET_EVENT_TABLES, GovernanceSettingChange)
    registry.add_aggregate(DatasetStates(), *DATASET_STATE_TABLES)
