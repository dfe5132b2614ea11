"""Single-use SIWE nonces: issued with a TTL for one host, consumed exactly once.

The nonce is what makes a signed message unusable a second time, so consuming
it is one conditional UPDATE whose row count decides: of two requests racing
with the same signed message, the database lets exactly one of them flip
`consumed_at`, on SQLite (one writer at a time) as on PostgreSQL (row lock,
then the WHERE clause is re-evaluated).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from coop_dashboard.auth import reasons
from coop_dashboard.auth.addresses import shown
from coop_dashboard.auth.site import SiweSite
from coop_dashboard.db.auth_tables import SiweNonce
from coop_dashboard.db.engine import session_scope
from coop_dashboard.db.utc_datetime import utc_now
from coop_dashboard.errors import AuthError

# 128 bits from the OS CSPRNG; hex keeps it within EIP-4361's alphanumeric
# nonce grammar (and above its 8-character minimum).
NONCE_BYTES = 16


@dataclass(frozen=True)
class IssuedNonce:
    """A nonce handed out for one sign-in attempt."""

    nonce: str
    host: str
    issued_at: datetime
    expires_at: datetime


def issue_nonce(engine: Engine, site: SiweSite, *, now: datetime | None = None) -> IssuedNonce:
    """Store and return a fresh nonce for `site`, valid for `site.nonce_ttl`."""
    issued_at = now or utc_now()
    issued = IssuedNonce(
        nonce=secrets.token_hex(NONCE_BYTES),
        host=site.domain,
        issued_at=issued_at,
        expires_at=issued_at + site.nonce_ttl,
    )
    with session_scope(engine) as db:
        db.add(
            SiweNonce(
                nonce=issued.nonce,
                host=issued.host,
                issued_at=issued.issued_at,
                expires_at=issued.expires_at,
            )
        )
    return issued


def ensure_nonce_usable(engine: Engine, nonce: str, host: str, now: datetime) -> None:
    """Raise AuthError if `nonce` cannot be redeemed now for `host` (read-only).

    A cheap early answer before the signature check (which may cost an RPC
    call); `consume_nonce` remains the authority.
    """
    with Session(engine) as db:
        problem = _nonce_problem(db, nonce, host, now)
    if problem is not None:
        raise AuthError(problem)


def consume_nonce(db: Session, nonce: str, host: str, now: datetime) -> None:
    """Mark `nonce` used inside the caller's transaction, or raise AuthError.

    Must be the first statement of a write transaction: on SQLite a transaction
    that has read before writing cannot wait for a concurrent writer and fails
    with "database is locked" instead of seeing the nonce already consumed.
    """
    statement = (
        update(SiweNonce)
        .where(
            col(SiweNonce.nonce) == nonce,
            col(SiweNonce.host) == host,
            col(SiweNonce.consumed_at).is_(None),
            col(SiweNonce.expires_at) > now,
        )
        .values(consumed_at=now)
        .execution_options(synchronize_session=False)
    )
    if db.exec(statement).rowcount == 1:
        return
    # Zero rows: find out why; a row that looks usable again lost a race.
    raise AuthError(_nonce_problem(db, nonce, host, now) or reasons.NONCE_USED)


def _nonce_problem(db: Session, nonce: str, host: str, now: datetime) -> str | None:
    """Why `nonce` cannot be redeemed for `host` at `now`, or None if it can."""
    row = db.exec(select(SiweNonce).where(col(SiweNonce.nonce) == nonce)).first()
    if row is None:
        return reasons.unknown_nonce(shown(nonce, 40))
    if row.host != host:
        return reasons.nonce_for_other_site(shown(row.host), shown(host))
    if row.consumed_at is not None:
        return reasons.NONCE_USED
    if row.expires_at <= now:
        return reasons.nonce_expired(row.expires_at - row.issued_at)
    return None
