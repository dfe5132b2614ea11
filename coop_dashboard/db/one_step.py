"""A SELECT's rows fetched from SQLite in one step: one interpreter-lock hand-off, not one per row.

Python's sqlite3 module releases the interpreter lock around every `sqlite3_step`,
that is once per row, and a thread must then wait for the lock to come back. Reads
run in threads beside the event loop (services/live_data.py), and while the loop is
busy each hand-off waits up to the switch interval (1 ms: loop_latency.py). Packed
into one JSON array by SQLite itself (json_group_array), the rows come back in one
step. benchmarks/one_step.py, a proposal's ~103 votes, median: 26.7 ms row by row
beside a busy thread, 2.8 ms in one step; alone 0.46 and 0.44 ms (prepared: OneStep).

PostgreSQL's driver receives a whole result in one call, so there the statement
runs as it is. Values come back as the columns' types give them (each type's own
result processor), in the statement's order: SQLite never flattens a subquery with
ORDER BY into an aggregate query, so the aggregate reads the rows in that order
(tests/unit/db/test_one_step.py holds it to that).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import Float, LargeBinary, Select, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DataError, OperationalError

# Read row by row: JSON holds no bytes, and SQLite writes a REAL into JSON with 15
# significant digits (a float needs 17 to come back the same).
_NOT_IN_JSON = (LargeBinary, Float)


class OneStep:
    """A SELECT packed for one-step reads once, then run as often as needed.

    Packing costs SQLAlchemy ~90 us per statement (the subquery's column collection
    and the aggregate's construction), more than SQLite takes to run a small read:
    a hot read (the index head, a proposal's votes) is declared once at module level
    with `bindparam`s for what varies, and each call passes their values.
    """

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        self._columns = list(statement.selected_columns)
        self.keys = [str(column.key) for column in self._columns]
        self._in_json = not any(isinstance(column.type, _NOT_IN_JSON) for column in self._columns)
        self._packed: Select[Any] | None = None  # built on the first SQLite read
        # SQLite's result processor of each column (None: the JSON value as it is).
        self._processors: list[Callable[[Any], Any] | None] | None = None

    def rows(self, connection: Connection, **params: Any) -> list[tuple[Any, ...]]:
        """The rows, as tuples of the selected columns; `params`: the bindparams' values."""
        if connection.dialect.name != "sqlite" or not self._in_json:
            return [tuple(row) for row in connection.execute(self.statement, params)]
        if self._packed is None:
            inner = self.statement.subquery()
            self._packed = select(func.json_group_array(func.json_array(*inner.c)))
        try:
            text = connection.execute(self._packed, params).scalar_one()
        except (DataError, OperationalError) as exc:
            if "too big" not in str(exc.orig):
                raise
            # Rows larger together than SQLite's longest value (1 GB by default; strangers'
            # vote reasons could add up to it): read as they are, row by row.
            return [tuple(row) for row in connection.execute(self.statement, params)]
        processors = self._processors
        if processors is None:
            processors = self._processors = [
                column.type.dialect_impl(connection.dialect).result_processor(
                    connection.dialect, None
                )
                for column in self._columns
            ]
        if not any(processors):
            return [tuple(values) for values in json.loads(text)]
        return [
            tuple(
                value if process is None or value is None else process(value)
                for process, value in zip(processors, values, strict=True)
            )
            for values in json.loads(text)
        ]

    def mappings(self, connection: Connection, **params: Any) -> list[dict[str, Any]]:
        """The rows as dicts keyed by the selected columns' keys."""
        return [dict(zip(self.keys, row, strict=True)) for row in self.rows(connection, **params)]


def rows_in_one_step(connection: Connection, statement: Select[Any]) -> list[tuple[Any, ...]]:
    """The rows of a statement run once (a hot one is a module-level OneStep)."""
    return OneStep(statement).rows(connection)


def mappings_in_one_step(connection: Connection, statement: Select[Any]) -> list[dict[str, Any]]:
    """The rows of `statement` as dicts keyed by its selected columns' keys."""
    return OneStep(statement).mappings(connection)
