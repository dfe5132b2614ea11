"""uint256 columns and the bulk insert path, on both engines."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Integer, MetaData, Table, Text, insert, select

from coop_dashboard.db.bulk_insert import bulk_insert, bulk_upsert
from coop_dashboard.db.engine import get_engine
from coop_dashboard.db.uint256 import UINT256_MAX, Uint256


def test_uint256_round_trip_and_order(database_url: str) -> None:
    metadata = MetaData()
    table = Table(
        "uint_probe", metadata, Column("id", Integer, primary_key=True), Column("value", Uint256)
    )
    engine = get_engine(database_url)
    metadata.create_all(engine)
    values = [0, 1, 9, 10, 2**63, 2**64 + 1, 10**25, UINT256_MAX]
    with engine.begin() as connection:
        connection.execute(insert(table), [{"id": i, "value": v} for i, v in enumerate(values)])
        ordered = connection.execute(select(table.c.value).order_by(table.c.value.desc()))
        assert [v for (v,) in ordered] == sorted(values, reverse=True)
        above = connection.execute(select(table.c.value).where(table.c.value > 2**63))
        assert sorted(v for (v,) in above) == [2**64 + 1, 10**25, UINT256_MAX]
    metadata.drop_all(engine)


def test_bulk_insert_keeps_every_value_exact(database_url: str) -> None:
    metadata = MetaData()
    table = Table(
        "bulk_probe",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("text", Text, nullable=True),
        Column("flag", Boolean, nullable=True),
        Column("amount", Uint256, nullable=True),
    )
    engine = get_engine(database_url)
    metadata.create_all(engine)
    texts = ["tab\there", "new\nline", "back\\slash", "", "\\N", "cr\r", "ünï ✓", None]
    rows = [
        {
            "id": i,
            "text": text,
            "flag": [True, False, None][i % 3],
            "amount": [UINT256_MAX, None][i % 2],
        }
        for i, text in enumerate(texts * 30)  # more than one multi-row statement
    ]
    with engine.begin() as connection:
        bulk_insert(connection, table, rows)
        bulk_upsert(
            connection, table, [{"id": 0, "text": "replaced", "flag": None, "amount": 7}], ["id"]
        )
    with engine.connect() as connection:
        stored = [
            dict(row) for row in connection.execute(select(table).order_by(table.c.id)).mappings()
        ]
    expected = [dict(row) for row in rows]
    expected[0] = {"id": 0, "text": "replaced", "flag": None, "amount": 7}
    assert stored == expected
    metadata.drop_all(engine)
