"""Every way a sign-in must fail: each with its own reason, and never a session."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
import siwe
from eth_account import Account
from eth_account.signers.local import LocalAccount
from siwe import ISO8601Datetime, SiweMessage
from sqlalchemy.engine import Engine

from coop_dashboard.auth import (
    SiweSite,
    build_sign_in_message,
    issue_nonce,
    session_address,
    sign_in,
    start_sign_in,
)
from coop_dashboard.db.auth_tables import AuthSession
from coop_dashboard.errors import AuthError
from tests.unit.auth.helpers import T0, count_rows, minutes, sign

SOON = T0 + minutes(1)


def assert_refused(
    engine: Engine,
    site: SiweSite,
    message: object,
    signature: object,
    reason: str,
    *,
    now: datetime = SOON,
) -> str:
    """sign_in refuses with `reason` (a regex) and opens no session; returns the text."""
    sessions_before = count_rows(engine, AuthSession)
    with pytest.raises(AuthError, match=reason) as refused:
        sign_in(engine, site, message, signature, now=now)
    assert count_rows(engine, AuthSession) == sessions_before
    assert "Traceback" not in str(refused.value)
    return str(refused.value)


def message_with_our_nonce(
    engine: Engine,
    site: SiweSite,
    account: LocalAccount,
    *,
    written_for: SiweSite | None = None,
    issued_at: datetime = T0,
    expiration_time: datetime | None = None,
    not_before: datetime | None = None,
) -> str:
    """A message carrying a nonce `site` really issued, worded for `written_for`."""
    nonce = issue_nonce(engine, site, now=T0).nonce
    return build_sign_in_message(
        written_for or site,
        account.address,
        nonce,
        issued_at=issued_at,
        expiration_time=expiration_time,
        not_before=not_before,
    )


# --- the nonce -------------------------------------------------------------------------


def test_a_replayed_message_is_refused(
    engine: Engine, site: SiweSite, account: LocalAccount
) -> None:
    challenge = start_sign_in(engine, site, account.address, now=T0)
    signature = sign(account, challenge.message)
    sign_in(engine, site, challenge.message, signature, now=SOON)

    assert_refused(engine, site, challenge.message, signature, "already used", now=SOON)
    assert count_rows(engine, AuthSession) == 1


def test_a_nonce_past_its_ttl_is_refused(
    engine: Engine, site: SiweSite, account: LocalAccount
) -> None:
    # The message itself would still be valid for an hour; the nonce is not.
    message = message_with_our_nonce(engine, site, account, expiration_time=T0 + minutes(60))
    assert_refused(
        engine,
        site,
        message,
        sign(account, message),
        r"request expired \(it had to be signed within 10 minutes\)",
        now=T0 + minutes(11),
    )


def test_a_nonce_the_server_never_issued_is_refused(
    engine: Engine, site: SiweSite, account: LocalAccount
) -> None:
    message = build_sign_in_message(site, account.address, "ab12" * 8, issued_at=T0)
    assert_refused(engine, site, message, sign(account, message), "was not issued by this server")


def test_a_nonce_issued_for_another_site_is_refused(
    engine: Engine, site: SiweSite, account: LocalAccount
) -> None:
    other = SiweSite.for_origin("https://evil.example", chain_id=31337)
    nonce = issue_nonce(engine, other, now=T0).nonce
    message = build_sign_in_message(site, account.address, nonce, issued_at=T0)
    assert_refused(
        engine,
        site,
        message,
        sign(account, message),
        r"nonce was issued for another site \(evil.example\), not localhost:3000",
    )


# --- the site the message was written for ----------------------------------------------


def test_a_message_for_another_domain_is_refused(
    engine: Engine, site: SiweSite, account: LocalAccount
) -> None:
    evil = SiweSite.for_origin("https://evil.example", chain_id=31337)
    message = message_with_our_nonce(engine, site, account, written_for=evil)
    reason = assert_refused(
        engine, site, message, sign(account, message), "issued for another site"
    )
    assert reason == (
        "This sign-in message was issued for another site (evil.example), not localhost:3000."
    )


def test_a_message_for_another_uri_is_refused(
    engine: Engine, site: SiweSite, account: LocalAccount
) -> None:
    other_uri = replace(site, uri="http://localhost:4000")
    message = message_with_our_nonce(engine, site, account, written_for=other_uri)
    assert_refused(
        engine,
        site,
        message,
        sign(account, message),
        r"for another web address \(http://localhost:4000\), not http://localhost:3000",
    )


def test_a_message_for_another_chain_is_refused(
    engine: Engine, site: SiweSite, account: LocalAccount
) -> None:
    mainnet = replace(site, chain_id=1)
    message = message_with_our_nonce(engine, site, account, written_for=mainnet)
    assert_refused(
        engine,
        site,
        message,
        sign(account, message),
        "is for chain 1, but this dashboard runs on chain 31337",
    )


def test_a_message_with_another_statement_is_refused(
    engine: Engine, site: SiweSite, account: LocalAccount
) -> None:
    worded = replace(site, statement="I allow spending all my tokens.")
    message = message_with_our_nonce(engine, site, account, written_for=worded)
    assert_refused(
        engine, site, message, sign(account, message), "says 'I allow spending all my tokens.'"
    )


# --- the time window -------------------------------------------------------------------


def test_an_expired_message_is_refused(
    engine: Engine, site: SiweSite, account: LocalAccount
) -> None:
    message = message_with_our_nonce(engine, site, account, expiration_time=T0 + minutes(5))
    assert_refused(
        engine,
        site,
        message,
        sign(account, message),
        "expired at 2026-11-22 12:05:00 UTC",
        now=T0 + minutes(6),
    )


def test_a_message_before_its_not_before_is_refused(
    engine: Engine, site: SiweSite, account: LocalAccount
) -> None:
    message = message_with_our_nonce(
        engine,
        site,
        account,
        not_before=T0 + minutes(5),
        expiration_time=T0 + minutes(10),
    )
    signature = sign(account, message)
    assert_refused(engine, site, message, signature, "not valid before 2026-11-22 12:05:00 UTC")
    # The same message is fine once its time has come (the refusal left the nonce open).
    issued = sign_in(engine, site, message, signature, now=T0 + minutes(6))
    assert session_address(engine, issued.token, now=T0 + minutes(6)) == account.address


def test_a_message_issued_in_the_future_is_refused(
    engine: Engine, site: SiweSite, account: LocalAccount
) -> None:
    message = message_with_our_nonce(engine, site, account, issued_at=SOON + minutes(5))
    assert_refused(engine, site, message, sign(account, message), "which is in the future")


def test_a_small_clock_skew_is_tolerated(
    engine: Engine, site: SiweSite, account: LocalAccount
) -> None:
    message = message_with_our_nonce(engine, site, account, issued_at=SOON + timedelta(seconds=30))
    assert sign_in(engine, site, message, sign(account, message), now=SOON).address


def test_a_message_valid_for_too_long_is_refused(
    engine: Engine, site: SiweSite, account: LocalAccount
) -> None:
    message = message_with_our_nonce(engine, site, account, expiration_time=T0 + timedelta(days=3))
    assert_refused(
        engine,
        site,
        message,
        sign(account, message),
        "is valid for 3 days; this site accepts at most 1 day",
    )


def test_a_message_without_expiration_is_refused(
    engine: Engine, site: SiweSite, account: LocalAccount
) -> None:
    nonce = issue_nonce(engine, site, now=T0).nonce
    message = SiweMessage(
        domain=site.domain,
        address=account.address,
        statement=site.statement,
        uri=site.uri,
        version="1",
        chain_id=site.chain_id,
        nonce=nonce,
        issued_at=ISO8601Datetime.from_datetime(T0),
    ).prepare_message()
    assert_refused(engine, site, message, sign(account, message), "has no expiration time")


# --- the text and the signature --------------------------------------------------------


def test_a_message_changed_after_signing_is_refused(
    engine: Engine, site: SiweSite, account: LocalAccount
) -> None:
    challenge = start_sign_in(engine, site, account.address, now=T0)
    signature = sign(account, challenge.message)
    # Stretch the validity window: still a well-formed message for this site.
    stretched = challenge.message.replace(
        "Expiration Time: 2026-11-22T12:10:00.000Z", "Expiration Time: 2026-11-22T20:00:00.000Z"
    )
    assert stretched != challenge.message
    assert_refused(
        engine,
        site,
        stretched,
        signature,
        f"not made by {account.address} for this exact message",
    )
    # The refusal did not burn the nonce: the genuine message still works.
    assert sign_in(engine, site, challenge.message, signature, now=SOON).address


def test_a_message_claiming_another_account_is_refused(
    engine: Engine, site: SiweSite, account: LocalAccount
) -> None:
    victim = Account.create()
    challenge = start_sign_in(engine, site, account.address, now=T0)
    signature = sign(account, challenge.message)
    impersonating = challenge.message.replace(account.address, victim.address)
    assert_refused(engine, site, impersonating, signature, f"not made by {victim.address}")


def test_a_signature_by_another_key_is_refused(
    engine: Engine, site: SiweSite, account: LocalAccount
) -> None:
    challenge = start_sign_in(engine, site, account.address, now=T0)
    assert_refused(
        engine,
        site,
        challenge.message,
        sign(Account.create(), challenge.message),
        f"not made by {account.address}",
    )


def test_reformatted_text_is_refused_even_if_it_parses(
    engine: Engine, site: SiweSite, account: LocalAccount
) -> None:
    challenge = start_sign_in(engine, site, account.address, now=T0)
    reformatted = challenge.message + "\n"
    assert_refused(engine, site, reformatted, sign(account, reformatted), "not worded exactly as")


@pytest.mark.parametrize(
    ("signature", "reason"),
    [
        ("0xzz", "not hexadecimal"),
        ("not hex at all", "not hexadecimal"),
        ("", "not hexadecimal"),
        ("0x", "not hexadecimal"),
        ("0x123", "not hexadecimal"),  # odd number of digits
        (None, "not hexadecimal"),
        (12345, "not hexadecimal"),
        ("0x1234", r"2 bytes long, but an Ethereum account's signature is 65 bytes"),
        ("0x" + "ab" * 64, "64 bytes long"),
        ("0x" + "00" * 65, "malformed"),
        ("0x" + "ff" * 65, "malformed"),
        ("0x" + "ab" * 4000, "larger than 2048 bytes"),
    ],
)
def test_a_malformed_signature_is_refused(
    engine: Engine, site: SiweSite, account: LocalAccount, signature: object, reason: str
) -> None:
    challenge = start_sign_in(engine, site, account.address, now=T0)
    assert_refused(engine, site, challenge.message, signature, reason)


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ("x" * 5000, "5000 bytes long; at most 4096 bytes are accepted"),
        ("é" * 2100, "4200 bytes long"),  # the limit counts bytes, not characters
        ("hello", "not a Sign-In with Ethereum message"),
        (None, "must be text"),
    ],
)
def test_oversized_or_garbage_messages_are_refused(
    engine: Engine, site: SiweSite, account: LocalAccount, message: object, reason: str
) -> None:
    assert_refused(engine, site, message, "0x" + "ab" * 65, reason)


def test_an_oversized_message_for_this_site_is_refused_before_parsing(
    engine: Engine, site: SiweSite, account: LocalAccount
) -> None:
    challenge = start_sign_in(engine, site, account.address, now=T0)
    padded = challenge.message.replace(site.statement, site.statement + " " + "a" * 4000)
    assert_refused(engine, site, padded, sign(account, padded), "at most 4096 bytes")


def test_a_message_with_a_non_checksummed_address_is_refused(
    engine: Engine, site: SiweSite, account: LocalAccount
) -> None:
    challenge = start_sign_in(engine, site, account.address, now=T0)
    lowered = challenge.message.replace(account.address, account.address.lower())
    assert_refused(engine, site, lowered, sign(account, lowered), r"invalid fields \(address\)")


@pytest.mark.parametrize(
    ("siwe_error", "reason"),
    [
        (siwe.DomainMismatch(), "issued for another site"),
        (siwe.ExpiredMessage(), "expired at 2026-11-22 12:10:00 UTC"),
        (siwe.NotYetValidMessage(), "rejected; start signing in again"),  # no Not Before
        (siwe.NonceMismatch(), "rejected; start signing in again"),
    ],
)
def test_siwe_own_refusals_are_mapped_to_reasons(
    engine: Engine,
    site: SiweSite,
    account: LocalAccount,
    monkeypatch: pytest.MonkeyPatch,
    siwe_error: Exception,
    reason: str,
) -> None:
    # The explicit checks run first, so siwe refusing on its own means the two
    # disagree on a boundary; the person must still get a sentence, not a class name.
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise siwe_error

    monkeypatch.setattr(SiweMessage, "verify", refuse)
    challenge = start_sign_in(engine, site, account.address, now=T0)
    assert_refused(engine, site, challenge.message, sign(account, challenge.message), reason)


def test_a_ttl_just_over_the_limit_reads_as_a_reason(
    engine: Engine, site: SiweSite, account: LocalAccount
) -> None:
    message = message_with_our_nonce(
        engine, site, account, expiration_time=T0 + timedelta(days=1, hours=1)
    )
    assert_refused(
        engine, site, message, sign(account, message), "valid for 1 day 1 hour; this site accepts"
    )
