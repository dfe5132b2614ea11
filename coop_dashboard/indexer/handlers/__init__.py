"""Event handlers: decoded logs -> table rows. See registry.py and default.py."""

from coop_dashboard.indexer.handlers.registry import (
    Aggregate,
    Handler,
    HandlerContext,
    HandlerRegistry,
    RowSink,
    log_fields,
)

__all__ = ["Aggregate", "Handler", "HandlerContext", "HandlerRegistry", "RowSink", "log_fields"]
