"""rows_in_one_step returns what executing the statement returns, in its order, on
SQLite (one JSON step) and PostgreSQL (the statement as it is), and is one step."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    bindparam,
    event,
    select,
)
from sqlalchemy.engine import Engine

from coop_dashboard.db.engine import make_engine
from coop_dashboard.db.one_step import OneStep, mappings_in_one_step, rows_in_one_step
from coop_dashboard.db.uint256 import UINT256_MAX, Uint256
from tests.support.databases import database_url_of

metadata = MetaData()
things = Table(
    "thing",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("label", Text, nullable=True),
    Column("amount", Uint256, nullable=False),
    Column("block", BigInteger, nullable=False),
    Column("flag", Boolean, nullable=False),
)
blobs = Table(
    "blob", metadata, Column("id", Integer, primary_key=True), Column("data", LargeBinary)
)
ratios = Table("ratio", metadata, Column("id", Integer, primary_key=True), Column("ratio", Float))

# Text that JSON, SQLite's affinity or a careless decoder could turn into something else.
LABELS = [
    None,
    "",
    "007",
    "1e5",
    "[1, 2]",
    '{"a": "b"}',
    "null",
    'quote " and backslash \\',
    "snowman \u2603 and emoji \U0001f600",
    "x" * 100_000,
]
# SQLite stores a NUL in text; PostgreSQL refuses it (the indexer replaces it first:
# tests/indexer/test_hostile_text.py).
SQLITE_ONLY_LABELS = ["nul \x00 inside"]


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    with database_url_of(request.param, tmp_path, "one_step") as url:
        engine = make_engine(url)
        metadata.create_all(engine)
        rng = random.Random(7)
        labels = LABELS + SQLITE_ONLY_LABELS if request.param == "sqlite" else LABELS
        rows = [
            {
                "id": index,
                "label": labels[index % len(labels)],
                "amount": rng.choice([0, 1, 10**18, UINT256_MAX, rng.randrange(UINT256_MAX)]),
                "block": rng.choice([0, -(2**63), 2**63 - 1, rng.randrange(10**12)]),
                "flag": rng.random() < 0.5,
            }
            for index in range(1, 301)
        ]
        rng.shuffle(rows)  # stored out of id order: the order must come from ORDER BY
        with engine.begin() as connection:
            connection.execute(things.insert(), rows)
            connection.execute(blobs.insert(), [{"id": 1, "data": b"\x00\xff"}])
            connection.execute(
                ratios.insert(), [{"id": 1, "ratio": 1 / 3}, {"id": 2, "ratio": None}]
            )
        yield engine
        engine.dispose()


def _both(engine: Engine, statement: Any) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    with engine.connect() as connection:
        plain = [tuple(row) for row in connection.execute(statement)]
        packed = rows_in_one_step(connection, statement)
    return plain, packed


@pytest.mark.parametrize(
    "order",
    [
        [things.c.id],
        [things.c.amount.desc(), things.c.id],
        [things.c.block, things.c.id.desc()],
        [things.c.label, things.c.id],
    ],
)
def test_same_rows_values_types_and_order(engine: Engine, order: list[Any]) -> None:
    statement = select(*things.c).order_by(*order)
    plain, packed = _both(engine, statement)
    assert len(packed) == 300
    assert packed == plain
    assert [[type(v) for v in row] for row in packed] == [[type(v) for v in row] for row in plain]


def test_where_limit_offset_and_no_rows(engine: Engine) -> None:
    window = select(things.c.id, things.c.amount).order_by(things.c.id.desc()).offset(7).limit(20)
    plain, packed = _both(engine, window.where(things.c.flag))
    assert packed == plain and len(packed) == 20
    assert _both(engine, select(things.c.id).where(things.c.id < 0)) == ([], [])


def test_bytes_and_floats_are_read_row_by_row(engine: Engine) -> None:
    """JSON holds no bytes, and SQLite writes a float into JSON with 15 digits."""
    plain, packed = _both(engine, select(blobs.c.id, blobs.c.data))
    assert packed == plain == [(1, b"\x00\xff")]
    plain, packed = _both(engine, select(ratios.c.id, ratios.c.ratio).order_by(ratios.c.id))
    assert packed == plain == [(1, 1 / 3), (2, None)]


def _sqlite_with_things(tmp_path: Path, count: int) -> Engine:
    """A SQLite database of `count` plain things, ids 0 to count - 1."""
    engine = make_engine(f"sqlite:///{tmp_path / 'things.db'}")
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(
            things.insert(),
            [{"id": i, "label": "x", "amount": i, "block": i, "flag": True} for i in range(count)],
        )
    return engine


def test_sqlite_reads_one_aggregate_row_however_many_rows(tmp_path: Path) -> None:
    """The point of it: the driver hands the interpreter lock away once per row fetched,
    so the rows must come back as one: a single aggregate statement (one row by SQL's
    rules), not the statement itself."""
    engine = _sqlite_with_things(tmp_path, 500)
    executed: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda _c, _cur, sql, *_: executed.append(sql))
    with engine.connect() as connection:
        packed = rows_in_one_step(connection, select(things.c.id).order_by(things.c.id))
    assert [row[0] for row in packed] == list(range(500))
    assert len(executed) == 1
    assert executed[0].lower().startswith("select json_group_array(json_array(")
    assert "group by" not in executed[0].lower()


def test_mappings_are_keyed_by_column(engine: Engine) -> None:
    statement = select(things.c.id, things.c.amount.label("paid")).order_by(things.c.id).limit(3)
    with engine.connect() as connection:
        plain = [dict(row) for row in connection.execute(statement).mappings()]
        assert mappings_in_one_step(connection, statement) == plain
    assert list(plain[0]) == ["id", "paid"]


def test_a_prepared_statement_reads_each_calls_parameters(engine: Engine) -> None:
    """Declared once with bindparams (a hot read), run with different values: each call
    returns what the statement with those values written in returns, in its order,
    typed by the columns (Uint256 bound and read back on both dialects)."""
    prepared = OneStep(
        select(things.c.id, things.c.amount, things.c.label)
        .where(things.c.amount >= bindparam("least"), things.c.flag == bindparam("flag"))
        .order_by(things.c.amount.desc(), things.c.id)
    )
    with engine.connect() as connection:
        for least, flag in [(0, True), (10**18, False), (UINT256_MAX, True), (0, False)]:
            literal = (
                select(things.c.id, things.c.amount, things.c.label)
                .where(things.c.amount >= least, things.c.flag == flag)
                .order_by(things.c.amount.desc(), things.c.id)
            )
            plain = [tuple(row) for row in connection.execute(literal)]
            assert prepared.rows(connection, least=least, flag=flag) == plain
            assert prepared.mappings(connection, least=least, flag=flag) == [
                dict(row) for row in connection.execute(literal).mappings()
            ]
    bytes_prepared = OneStep(select(blobs.c.data).where(blobs.c.id == bindparam("id")))
    with engine.connect() as connection:
        assert bytes_prepared.rows(connection, id=1) == [(b"\x00\xff",)]
        assert bytes_prepared.rows(connection, id=2) == []


def test_a_prepared_statement_is_packed_once(tmp_path: Path) -> None:
    """Each call is one aggregate statement, and what SQLAlchemy compiled for the first
    call serves the next ones (the point of preparing: no packing per call)."""
    engine = _sqlite_with_things(tmp_path, 50)
    prepared = OneStep(select(things.c.id).where(things.c.id < bindparam("below")))
    executed: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda _c, _cur, sql, *_: executed.append(sql))
    with engine.connect() as connection:
        assert prepared.rows(connection, below=3) == [(0,), (1,), (2,)]
        packed = prepared._packed
        assert [row[0] for row in prepared.rows(connection, below=50)] == list(range(50))
    assert prepared._packed is packed is not None
    assert len(executed) == 2 and executed[0] == executed[1]
    assert executed[0].lower().startswith("select json_group_array(json_array(")


def test_rows_longer_together_than_sqlite_allows_are_read_row_by_row(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'long.db'}")
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(
            things.insert(),
            [
                {"id": i, "label": "y" * 400, "amount": i, "block": i, "flag": False}
                for i in range(5)
            ],
        )
    statement = select(things.c.id, things.c.label).order_by(things.c.id)
    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        assert isinstance(raw, sqlite3.Connection)
        # Each row fits; the five packed into one value do not.
        raw.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, 1_000)
        try:
            assert rows_in_one_step(connection, statement) == [(i, "y" * 400) for i in range(5)]
        finally:
            raw.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, 1_000_000_000)
