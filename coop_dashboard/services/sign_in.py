"""Sign-in for the UI: the SIWE core (coop_dashboard.auth) bound to the app's settings.

Blocking functions (database, RPC); states call them through asyncio.to_thread.
Everything a person can cause raises AuthError / CoopError with a sentence to
show; `signed_in_address` never raises, because a page load must not fail
when the database hiccups (it reads as "signed out" and logs why).
"""

from __future__ import annotations

import asyncio
import logging
import threading

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from coop_dashboard.auth import (
    IssuedSession,
    PurgeResult,
    SignInChallenge,
    SiweSite,
    checksum_address,
    purge_expired,
    session_address_by_hash,
    sign_in,
    sign_out_by_hash,
    start_sign_in,
    token_hash,
)
from coop_dashboard.auth.nonce_throttle import NonceThrottle
from coop_dashboard.chain.shared import shared_web3
from coop_dashboard.config import Settings, load_settings
from coop_dashboard.db.engine import get_engine
from coop_dashboard.db.migrations import upgrade_engine
from coop_dashboard.errors import AuthError

logger = logging.getLogger(__name__)

# Expired nonces and dead sessions are useless rows; sweep them this often.
PURGE_INTERVAL_S = 3600.0

# Each challenge is a database write: bounded per address, browser and IP.
_nonce_throttle = NonceThrottle()

_ready_databases: set[str] = set()
_ready_lock = threading.Lock()


def auth_engine(settings: Settings) -> Engine:
    """The app's engine, its schema migrated once per process.

    `coop serve` migrates before the app starts; this covers an app started
    another way (the migrations are a no-op on a current database). Never
    create_all: it would create tables the migrations then cannot place.
    """
    engine = get_engine(settings.database_url)
    with _ready_lock:
        if settings.database_url not in _ready_databases:
            upgrade_engine(engine)
            _ready_databases.add(settings.database_url)
    return engine


def site_for(settings: Settings) -> SiweSite:
    """The app's identity in sign-in messages: APP_ORIGIN on CHAIN_ID."""
    return SiweSite.for_origin(settings.app_origin, settings.chain_id)


def begin_sign_in(
    settings: Settings, address: str, *, client: str = "", ip: str = ""
) -> SignInChallenge:
    """A fresh single-use challenge for `address`.

    AuthError for a malformed address, or when this address, browser (`client`,
    Reflex's client token) or `ip` asked for too many challenges in the last minute.
    """
    checksummed = checksum_address(address)
    _nonce_throttle.admit(checksummed, client=client, ip=ip)
    return start_sign_in(auth_engine(settings), site_for(settings), checksummed)


def complete_sign_in(
    settings: Settings, message: str, signature: str, *, channel: str = "browser"
) -> IssuedSession:
    """Verify the signed challenge and open a session (AuthError with the reason if not);
    `channel` says how ("browser", or "api" for the HTTP sign-in of scripts).

    Contract wallets (EIP-1271) are asked through the app's own RPC.
    """
    w3 = shared_web3(settings.rpc_url, settings.rpc_timeout_s)
    return sign_in(
        auth_engine(settings),
        site_for(settings),
        message,
        signature,
        contract_wallets=w3,
        channel=channel,
    )


def signed_in_address(settings: Settings, token: str) -> str | None:
    """Who holds `token` right now (checked against the session table), or None."""
    return signed_in_address_by_hash(settings, token_hash(token) or "")


def signed_in_address_by_hash(settings: Settings, token_sha256: str) -> str | None:
    """Who holds the token hashed to `token_sha256` right now, or None (never raises)."""
    if not token_sha256:
        return None
    try:
        return session_address_by_hash(auth_engine(settings), token_sha256)
    except (SQLAlchemyError, OSError):
        logger.exception("checking a session failed; treating it as signed out")
        return None


def end_session_by_hash(settings: Settings, token_sha256: str) -> None:
    """Revoke the session of the token hashed to `token_sha256` (no-op if unknown)."""
    if not token_sha256:
        return
    try:
        sign_out_by_hash(auth_engine(settings), token_sha256)
    except (SQLAlchemyError, OSError) as exc:
        logger.exception("revoking a session failed")
        raise AuthError(
            "Signing out could not be recorded (database error); the session ends in this "
            "browser anyway. Try again to revoke it everywhere."
        ) from exc


def end_session(settings: Settings, token: str) -> None:
    """Revoke `token`'s session (a no-op for unknown or already revoked tokens)."""
    end_session_by_hash(settings, token_hash(token) or "")


def origin_problem(settings: Settings, page_origin: str) -> str | None:
    """Why signing in from `page_origin` would confuse the wallet, or None.

    The message names APP_ORIGIN; a wallet on another origin warns the person
    that the site asking is not the site named (phishing protection), so say
    where to go instead of producing that warning.
    """
    if not page_origin or page_origin.lower() == settings.app_origin:
        return None
    return (
        f"This dashboard signs people in at {settings.app_origin}, but this page is "
        f"{page_origin[:100]}. Open {settings.app_origin} to sign in (or set APP_ORIGIN "
        "to the address people use)."
    )


def purge_sign_in_rows(settings: Settings) -> PurgeResult:
    """Delete expired nonces and expired or revoked sessions (blocking)."""
    return purge_expired(auth_engine(settings))


async def purge_periodically(interval_s: float = PURGE_INTERVAL_S) -> None:
    """The app's lifespan task: sweep sign-in rows now and then, forever.

    Also creates the auth tables at start, so the first visitor does not pay for it.
    A failing sweep is logged and retried next time; it never stops the app.
    """
    while True:
        try:
            result = await asyncio.to_thread(purge_sign_in_rows, load_settings())
            if result.nonces or result.sessions:
                logger.info(
                    "purged %d sign-in nonces and %d sessions", result.nonces, result.sessions
                )
        except Exception:
            logger.exception("purging expired sign-in rows failed; retrying later")
        await asyncio.sleep(interval_s)
