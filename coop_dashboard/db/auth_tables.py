"""Tables of Sign-In with Ethereum: issued nonces and server sessions.

Only a SHA-256 of a session token is stored: whoever reads the database (a
backup, a log of queries) cannot use the rows to act as a member.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel

from coop_dashboard.db.utc_datetime import UtcDateTime

# Long enough for any EIP-4361 nonce the server issues (hex of 16 random bytes
# is 32 characters) with room if the format changes.
NONCE_MAX_LENGTH = 64
# host[:port] as in an HTTP Host header (DNS names are at most 253 characters).
HOST_MAX_LENGTH = 261


class SiweNonce(SQLModel, table=True):
    """A single-use nonce the server put in a sign-in message it issued."""

    __tablename__ = "siwe_nonce"
    __table_args__ = {"extend_existing": True}

    id: int | None = Field(default=None, primary_key=True)
    nonce: str = Field(max_length=NONCE_MAX_LENGTH, unique=True)
    # The site (host[:port]) the nonce was issued for: a nonce fetched through
    # one deployment cannot be redeemed on another sharing the database.
    host: str = Field(max_length=HOST_MAX_LENGTH)
    issued_at: datetime = Field(sa_type=UtcDateTime)
    expires_at: datetime = Field(sa_type=UtcDateTime, index=True)
    consumed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class AuthSession(SQLModel, table=True):
    """A signed-in browser: the hash of its token, who it is, and until when."""

    __tablename__ = "auth_session"
    __table_args__ = {"extend_existing": True}

    id: int | None = Field(default=None, primary_key=True)
    # Hex SHA-256 of the token handed to the browser; the token itself is never stored.
    token_sha256: str = Field(max_length=64, unique=True)
    address: str = Field(max_length=42, index=True)
    # EIP-155 chain ids can exceed 32 bits.
    chain_id: int = Field(sa_type=BigInteger)
    created_at: datetime = Field(sa_type=UtcDateTime)
    expires_at: datetime = Field(sa_type=UtcDateTime, index=True)
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    # How it was opened: "browser" (the app's sign-in) or "api" (POST /api/auth/verify);
    # the data access log says which one a download came through.
    channel: str = Field(default="browser", max_length=8)
