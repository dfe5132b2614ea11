"""CoopTimelock events: scheduled / executed / cancelled calls, delay; ETH leaving it."""

from __future__ import annotations

from coop_dashboard.db.chain_tables import (
    GovernanceSettingChange,
    TimelockCall,
    TreasuryMovement,
)
from coop_dashboard.indexer.decoders import DecodedLog
from coop_dashboard.indexer.handlers.registry import (
    HandlerContext,
    HandlerRegistry,
    RowSink,
    log_fields,
)


def on_call_scheduled(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    args = log.args
    sink.add(
        TimelockCall,
        log_fields(log)
        | {
            "operation_id": args["id"],
            "kind": "scheduled",
            "call_index": args["index"],
            "target": args["target"],
            "value": args["value"],
            "data": args["data"],
            "predecessor": args["predecessor"],
            "delay": args["delay"],
        },
    )


def on_call_executed(log: DecodedLog, context: HandlerContext, sink: RowSink) -> None:
    args = log.args
    sink.add(
        TimelockCall,
        log_fields(log)
        | {
            "operation_id": args["id"],
            "kind": "executed",
            "call_index": args["index"],
            "target": args["target"],
            "value": args["value"],
            "data": args["data"],
        },
    )
    # The timelock only ever sends ETH through an executed call, so these rows
    # are every ETH outflow of the treasury (a call to itself moves nothing).
    if args["value"] > 0 and log.address == context.treasury and args["target"] != log.address:
        sink.add(
            TreasuryMovement,
            log_fields(log)
            | {
                "asset": "eth",
                "direction": "out",
                "counterparty": args["target"],
                "amount": args["value"],
                "source": "timelock_call",
            },
        )


def on_cancelled(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    sink.add(TimelockCall, log_fields(log) | {"operation_id": log.args["id"], "kind": "cancelled"})


def on_min_delay_change(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    sink.add(
        GovernanceSettingChange,
        log_fields(log)
        | {
            "contract": log.address,
            "setting": "timelock_min_delay",
            "old_value": str(log.args["oldDuration"]),
            "new_value": str(log.args["newDuration"]),
        },
    )


def register_timelock(registry: HandlerRegistry, contract: str = "CoopTimelock") -> None:
    registry.register(contract, "CallScheduled", on_call_scheduled)
    registry.register(contract, "CallExecuted", on_call_executed)
    registry.register(contract, "Cancelled", on_cancelled)
    registry.register(contract, "MinDelayChange", on_min_delay_change)
    registry.add_event_tables(TimelockCall, TreasuryMovement, GovernanceSettingChange)
