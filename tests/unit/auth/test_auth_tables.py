"""The auth tables: registered with the app's models, timestamps always aware UTC."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import StatementError
from sqlmodel import Session, select

from coop_dashboard.db.auth_tables import AuthSession, SiweNonce
from coop_dashboard.db.engine import create_tables, make_engine
from tests.unit.auth.helpers import T0


def test_create_tables_creates_the_auth_tables(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'app.db'}")
    create_tables(engine)
    assert {"siwe_nonce", "auth_session"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_timestamps_come_back_aware_in_utc(engine: Engine) -> None:
    in_tokyo = T0.astimezone(timezone(timedelta(hours=9)))
    with Session(engine) as db:
        db.add(SiweNonce(nonce="n" * 32, host="h", issued_at=in_tokyo, expires_at=in_tokyo))
        db.commit()
    with Session(engine) as db:
        row = db.exec(select(SiweNonce)).one()
    assert row.issued_at == T0
    assert row.issued_at.utcoffset() == timedelta(0)
    assert row.consumed_at is None


def test_naive_timestamps_are_refused(engine: Engine) -> None:
    naive = datetime(2026, 11, 22, 12, 0, 0)
    with Session(engine) as db:
        db.add(
            AuthSession(
                token_sha256="0" * 64,
                address="0x" + "0" * 40,
                chain_id=1,
                created_at=naive,
                expires_at=naive,
            )
        )
        with pytest.raises(StatementError, match="naive"):
            db.commit()


def test_chain_ids_beyond_32_bits_fit(engine: Engine) -> None:
    big_chain_id = 2**53 - 1
    with Session(engine) as db:
        db.add(
            AuthSession(
                token_sha256="1" * 64,
                address="0x" + "0" * 40,
                chain_id=big_chain_id,
                created_at=T0,
                expires_at=T0,
            )
        )
        db.commit()
    with Session(engine) as db:
        assert db.exec(select(AuthSession)).one().chain_id == big_chain_id
