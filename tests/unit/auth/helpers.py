"""Helpers shared by the sign-in tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

# A fixed instant so tests about time windows are exact.
T0 = datetime(2026, 11, 22, 12, 0, 0, tzinfo=UTC)


def sign(account: LocalAccount, message: str) -> str:
    """personal_sign (EIP-191) as a browser wallet does it."""
    return account.sign_message(encode_defunct(text=message)).signature.to_0x_hex()


def count_rows(engine: Engine, table: type[SQLModel]) -> int:
    with Session(engine) as db:
        return db.exec(select(func.count()).select_from(table)).one()


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)
