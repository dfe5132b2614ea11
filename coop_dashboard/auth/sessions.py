"""Server sessions after a successful sign-in, as reflex-local-auth keeps them.

The browser holds a random bearer token; the database holds only its SHA-256.
Looking a token up means hashing it and finding the hash, so a timing
difference in the index lookup reveals bits of a hash, never of a live token.
The app's per-tab state keeps only that hash too (`token_hash`, then the
`*_by_hash` functions): the token itself lives in the browser alone.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from coop_dashboard.auth.addresses import checksum_address
from coop_dashboard.db.auth_tables import AuthSession, SiweNonce
from coop_dashboard.db.engine import session_scope
from coop_dashboard.db.utc_datetime import utc_now

DEFAULT_SESSION_TTL = timedelta(hours=24)
# 256 bits; token_urlsafe(32) is always 43 characters of [A-Za-z0-9_-].
TOKEN_BYTES = 32
_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")
_HASH_RE = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class IssuedSession:
    """A new session. `token` is shown this once: hand it to the browser, don't log it."""

    token: str
    address: str
    chain_id: int
    expires_at: datetime


@dataclass(frozen=True)
class ActiveSession:
    """Who a valid token belongs to."""

    address: str
    chain_id: int
    created_at: datetime
    expires_at: datetime
    channel: str = "browser"  # "browser" (the app's sign-in) or "api" (/api/auth/verify)


@dataclass(frozen=True)
class PurgeResult:
    """How many rows `purge_expired` deleted."""

    nonces: int
    sessions: int


def token_sha256(token: str) -> str:
    """The stored form of a session token (hex SHA-256)."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def insert_session(
    db: Session,
    address: str,
    chain_id: int,
    *,
    ttl: timedelta,
    now: datetime,
    channel: str = "browser",
) -> IssuedSession:
    """Add a session row inside the caller's transaction and return its token."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    issued = IssuedSession(
        token=token, address=checksum_address(address), chain_id=chain_id, expires_at=now + ttl
    )
    db.add(
        AuthSession(
            token_sha256=token_sha256(token),
            address=issued.address,
            chain_id=chain_id,
            created_at=now,
            expires_at=issued.expires_at,
            channel=channel,
        )
    )
    return issued


def open_session(
    engine: Engine,
    address: str,
    chain_id: int,
    *,
    ttl: timedelta = DEFAULT_SESSION_TTL,
    now: datetime | None = None,
) -> IssuedSession:
    """Open a session for `address`; call only after its sign-in was verified.

    `siwe_login.sign_in` does verification and this in one transaction; prefer it.
    """
    with session_scope(engine) as db:
        return insert_session(db, address, chain_id, ttl=ttl, now=now or utc_now())


def token_hash(token: object) -> str | None:
    """The stored form of `token`, or None if it cannot be one of our tokens.

    Anything else is answered without touching the database (and without
    hashing megabytes someone sent).
    """
    if not isinstance(token, str) or not _TOKEN_RE.fullmatch(token):
        return None
    return token_sha256(token)


def lookup_session(
    engine: Engine, token: object, *, now: datetime | None = None
) -> ActiveSession | None:
    """The live session for `token`; None if unknown, expired, revoked or malformed."""
    hashed = token_hash(token)
    return None if hashed is None else lookup_session_by_hash(engine, hashed, now=now)


def lookup_session_by_hash(
    engine: Engine, hashed: str, *, now: datetime | None = None
) -> ActiveSession | None:
    """The live session whose token has the SHA-256 `hashed` (see `token_hash`)."""
    if not _HASH_RE.fullmatch(hashed):
        return None
    with Session(engine) as db:
        row = db.exec(select(AuthSession).where(col(AuthSession.token_sha256) == hashed)).first()
    if row is None or row.revoked_at is not None or row.expires_at <= (now or utc_now()):
        return None
    return ActiveSession(
        address=row.address,
        chain_id=row.chain_id,
        created_at=row.created_at,
        expires_at=row.expires_at,
        channel=row.channel,
    )


def session_address(engine: Engine, token: object, *, now: datetime | None = None) -> str | None:
    """The checksummed address signed in with `token`, or None."""
    active = lookup_session(engine, token, now=now)
    return active.address if active else None


def session_address_by_hash(
    engine: Engine, hashed: str, *, now: datetime | None = None
) -> str | None:
    """The checksummed address signed in with the token hashed to `hashed`, or None."""
    active = lookup_session_by_hash(engine, hashed, now=now)
    return active.address if active else None


def sign_out(engine: Engine, token: object, *, now: datetime | None = None) -> bool:
    """Revoke the session of `token`; True if a live session was revoked."""
    hashed = token_hash(token)
    return hashed is not None and sign_out_by_hash(engine, hashed, now=now)


def sign_out_by_hash(engine: Engine, hashed: str, *, now: datetime | None = None) -> bool:
    """Revoke the session whose token hashes to `hashed`; True if a live one was revoked."""
    if not _HASH_RE.fullmatch(hashed):
        return False
    statement = (
        update(AuthSession)
        .where(
            col(AuthSession.token_sha256) == hashed,
            col(AuthSession.revoked_at).is_(None),
        )
        .values(revoked_at=now or utc_now())
        .execution_options(synchronize_session=False)
    )
    with session_scope(engine) as db:
        return db.exec(statement).rowcount == 1


def revoke_all_sessions(engine: Engine, address: str, *, now: datetime | None = None) -> int:
    """Revoke every live session of `address` (e.g. a key was compromised); returns the count."""
    statement = (
        update(AuthSession)
        .where(
            col(AuthSession.address) == checksum_address(address),
            col(AuthSession.revoked_at).is_(None),
        )
        .values(revoked_at=now or utc_now())
        .execution_options(synchronize_session=False)
    )
    with session_scope(engine) as db:
        return db.exec(statement).rowcount


def purge_expired(engine: Engine, *, now: datetime | None = None) -> PurgeResult:
    """Delete expired nonces and expired or revoked sessions (run periodically).

    Deleting an expired nonce is safe: a message carrying it is then refused as
    "unknown nonce" instead of "expired", but refused all the same.
    """
    cutoff = now or utc_now()
    with session_scope(engine) as db:
        nonces = db.exec(
            delete(SiweNonce)
            .where(col(SiweNonce.expires_at) <= cutoff)
            .execution_options(synchronize_session=False)
        ).rowcount
        sessions = db.exec(
            delete(AuthSession)
            .where(
                or_(
                    col(AuthSession.expires_at) <= cutoff,
                    col(AuthSession.revoked_at).is_not(None),
                )
            )
            .execution_options(synchronize_session=False)
        ).rowcount
    return PurgeResult(nonces=nonces, sessions=sessions)
