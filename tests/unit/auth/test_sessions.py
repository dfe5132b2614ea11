"""Server sessions: bearer tokens stored as hashes, with expiry and revocation."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, timedelta

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from coop_dashboard.auth import (
    DEFAULT_SESSION_TTL,
    SiweSite,
    issue_nonce,
    lookup_session,
    open_session,
    purge_expired,
    revoke_all_sessions,
    session_address,
    session_address_by_hash,
    sign_in,
    sign_out,
    sign_out_by_hash,
    start_sign_in,
    token_hash,
)
from coop_dashboard.db.auth_tables import AuthSession, SiweNonce
from coop_dashboard.errors import AuthError
from tests.unit.auth.helpers import T0, count_rows, minutes, sign


def test_only_the_hash_of_the_token_is_stored(engine: Engine, account: LocalAccount) -> None:
    issued = open_session(engine, account.address, 31337, now=T0)

    with Session(engine) as db:
        row = db.exec(select(AuthSession)).one()
    assert row.token_sha256 == hashlib.sha256(issued.token.encode()).hexdigest()
    assert issued.token not in repr(row.model_dump())
    assert len(issued.token) == 43  # 256 random bits, URL-safe


def test_a_session_lasts_24_hours_by_default_and_then_expires(
    engine: Engine, account: LocalAccount
) -> None:
    issued = open_session(engine, account.address, 31337, now=T0)

    assert timedelta(hours=24) == DEFAULT_SESSION_TTL
    assert issued.expires_at == T0 + timedelta(hours=24)
    active = lookup_session(engine, issued.token, now=T0 + timedelta(hours=23, minutes=59))
    assert active is not None
    assert (active.address, active.chain_id) == (account.address, 31337)
    assert active.expires_at.tzinfo == UTC and active.created_at == T0
    assert session_address(engine, issued.token, now=T0 + timedelta(hours=24)) is None


def test_a_custom_ttl_is_honoured(engine: Engine, account: LocalAccount) -> None:
    issued = open_session(engine, account.address, 31337, ttl=minutes(5), now=T0)
    assert session_address(engine, issued.token, now=T0 + minutes(4)) == account.address
    assert session_address(engine, issued.token, now=T0 + minutes(5)) is None


def test_a_stale_token_stays_dead_after_purging(engine: Engine, account: LocalAccount) -> None:
    issued = open_session(engine, account.address, 31337, now=T0)
    later = T0 + timedelta(days=2)

    assert purge_expired(engine, now=later).sessions == 1
    assert session_address(engine, issued.token, now=later) is None
    # Even a clock going backwards cannot resurrect a purged session.
    assert session_address(engine, issued.token, now=T0) is None


def test_a_forged_token_gives_nothing(engine: Engine, account: LocalAccount) -> None:
    open_session(engine, account.address, 31337, now=T0)
    assert session_address(engine, secrets.token_urlsafe(32), now=T0) is None


@pytest.mark.parametrize(
    "token",
    [None, "", "short", "x" * 43 + "=", "a" * 44, "a" * 100_000, "é" * 43, 42, b"a" * 43],
)
def test_a_malformed_token_gives_nothing(
    engine: Engine, account: LocalAccount, token: object
) -> None:
    open_session(engine, account.address, 31337, now=T0)
    assert session_address(engine, token, now=T0) is None
    assert sign_out(engine, token) is False


def test_a_signed_out_token_gives_nothing(engine: Engine, account: LocalAccount) -> None:
    kept = open_session(engine, account.address, 31337, now=T0)
    revoked = open_session(engine, account.address, 31337, now=T0)

    assert sign_out(engine, revoked.token, now=T0) is True
    assert sign_out(engine, revoked.token, now=T0) is False  # already revoked
    assert session_address(engine, revoked.token, now=T0) is None
    assert session_address(engine, kept.token, now=T0) == account.address


def test_revoking_all_sessions_of_an_address(engine: Engine, account: LocalAccount) -> None:
    other = Account.create()
    mine = [open_session(engine, account.address, 31337, now=T0) for _ in range(2)]
    theirs = open_session(engine, other.address, 31337, now=T0)

    assert revoke_all_sessions(engine, account.address.lower(), now=T0) == 2
    assert all(session_address(engine, s.token, now=T0) is None for s in mine)
    assert session_address(engine, theirs.token, now=T0) == other.address


def test_purge_removes_expired_nonces_and_dead_sessions_only(
    engine: Engine, site: SiweSite, account: LocalAccount
) -> None:
    issue_nonce(engine, site, now=T0)  # expires at T0+10m
    fresh_nonce = issue_nonce(engine, site, now=T0 + minutes(30))
    expired = open_session(engine, account.address, 31337, ttl=minutes(5), now=T0)
    revoked = open_session(engine, account.address, 31337, now=T0)
    live = open_session(engine, account.address, 31337, now=T0)
    sign_out(engine, revoked.token, now=T0)

    result = purge_expired(engine, now=T0 + minutes(30))

    assert (result.nonces, result.sessions) == (1, 2)
    with Session(engine) as db:
        assert [row.nonce for row in db.exec(select(SiweNonce))] == [fresh_nonce.nonce]
    assert session_address(engine, live.token, now=T0 + minutes(30)) == account.address
    assert session_address(engine, expired.token, now=T0) is None  # its row is gone


def test_sign_in_sessions_use_the_requested_ttl(
    engine: Engine, site: SiweSite, account: LocalAccount
) -> None:
    challenge = start_sign_in(engine, site, account.address, now=T0)
    issued = sign_in(
        engine,
        site,
        challenge.message,
        sign(account, challenge.message),
        session_ttl=timedelta(hours=1),
        now=T0 + minutes(1),
    )
    assert issued.expires_at == T0 + minutes(61)
    assert session_address(engine, issued.token, now=T0 + minutes(60)) == account.address
    assert session_address(engine, issued.token, now=T0 + minutes(61)) is None


def test_opening_a_session_for_a_malformed_address_is_refused(engine: Engine) -> None:
    with pytest.raises(AuthError, match="not an Ethereum address"):
        open_session(engine, "0xnope", 31337)
    assert count_rows(engine, AuthSession) == 0


def test_the_hash_alone_checks_and_revokes_a_session(engine: Engine, account: LocalAccount) -> None:
    """What the app's per-tab state keeps: the hash, enough to check and end a session."""
    issued = open_session(engine, account.address, 31337, now=T0)
    hashed = token_hash(issued.token)
    assert hashed == hashlib.sha256(issued.token.encode()).hexdigest()

    assert session_address_by_hash(engine, hashed, now=T0) == account.address
    assert sign_out_by_hash(engine, hashed, now=T0) is True
    assert session_address_by_hash(engine, hashed, now=T0) is None
    assert session_address(engine, issued.token, now=T0) is None


@pytest.mark.parametrize("bad", ["", "0" * 63, "G" * 64, "a" * 65, "' OR 1=1 --"])
def test_malformed_hashes_are_refused_without_a_query(engine: Engine, bad: str) -> None:
    assert session_address_by_hash(engine, bad) is None
    assert sign_out_by_hash(engine, bad) is False
    assert token_hash(bad) is None
