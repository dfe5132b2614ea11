"""DelegateRegistry events: statements published, seeking flag changed, cleared."""

from __future__ import annotations

import json

from coop_dashboard.db.chain_tables import DelegateStatementEvent
from coop_dashboard.db.delegate_tables import DELEGATE_DIRECTORY_TABLES
from coop_dashboard.indexer.decoders import DecodedLog
from coop_dashboard.indexer.handlers.delegate_directory import DelegateDirectory
from coop_dashboard.indexer.handlers.registry import (
    HandlerContext,
    HandlerRegistry,
    RowSink,
    log_fields,
)


def on_statement_published(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    args = log.args
    sink.add(
        DelegateStatementEvent,
        log_fields(log)
        | {
            "delegate": args["delegate"],
            "kind": "published",
            "uri": args["uri"],
            "digest": args["digest"],
            "topics": json.dumps(list(args["topics"])),
            "seeking_delegation": args["seekingDelegation"],
            "version": args["version"],
        },
    )


def on_seeking_delegation_changed(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    sink.add(
        DelegateStatementEvent,
        log_fields(log)
        | {
            "delegate": log.args["delegate"],
            "kind": "seeking_changed",
            "seeking_delegation": log.args["current"],
        },
    )


def on_statement_cleared(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    sink.add(
        DelegateStatementEvent,
        log_fields(log)
        | {
            "delegate": log.args["delegate"],
            "kind": "cleared",
            "version": log.args["lastVersion"],
        },
    )


def register_delegate_registry(
    registry: HandlerRegistry, contract: str = "DelegateRegistry"
) -> None:
    registry.register(contract, "StatementPublished", on_statement_published)
    registry.register(contract, "SeekingDelegationChanged", on_seeking_delegation_changed)
    registry.register(contract, "StatementCleared", on_statement_cleared)
    registry.add_event_tables(DelegateStatementEvent)
    registry.add_aggregate(DelegateDirectory(), *DELEGATE_DIRECTORY_TABLES)
