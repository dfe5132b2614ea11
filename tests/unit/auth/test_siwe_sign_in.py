"""The happy path of Sign-In with Ethereum, and the challenge the server issues."""

from __future__ import annotations

from datetime import UTC

import pytest
from eth_account.signers.local import LocalAccount
from siwe import SiweMessage
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from coop_dashboard.auth import (
    SiweSite,
    session_address,
    sign_in,
    start_sign_in,
    verify_sign_in,
)
from coop_dashboard.db.auth_tables import AuthSession, SiweNonce
from coop_dashboard.errors import AuthError
from tests.unit.auth.helpers import T0, count_rows, minutes, sign


def test_a_signed_challenge_opens_a_session(
    engine: Engine, site: SiweSite, account: LocalAccount
) -> None:
    challenge = start_sign_in(engine, site, account.address)
    issued = sign_in(engine, site, challenge.message, sign(account, challenge.message))

    assert issued.address == account.address
    assert issued.chain_id == 31337
    assert session_address(engine, issued.token) == account.address
    assert count_rows(engine, AuthSession) == 1


def test_verify_reports_who_signed_and_consumes_the_nonce(
    engine: Engine, site: SiweSite, account: LocalAccount
) -> None:
    challenge = start_sign_in(engine, site, account.address, now=T0)
    verified = verify_sign_in(
        engine, site, challenge.message, sign(account, challenge.message), now=T0 + minutes(1)
    )

    assert (verified.address, verified.chain_id, verified.nonce) == (
        account.address,
        31337,
        challenge.nonce,
    )
    assert verified.signed_by_contract is False
    with Session(engine) as db:
        row = db.exec(select(SiweNonce).where(SiweNonce.nonce == challenge.nonce)).one()
    assert row.consumed_at == T0 + minutes(1)
    assert count_rows(engine, AuthSession) == 0  # verify alone opens no session


def test_the_challenge_is_an_eip4361_message_for_this_site(
    engine: Engine, site: SiweSite, account: LocalAccount
) -> None:
    challenge = start_sign_in(engine, site, account.address.lower(), now=T0)
    parsed = SiweMessage.from_message(challenge.message)  # the strict ABNF grammar

    assert parsed.domain == "localhost:3000"
    assert parsed.uri == "http://localhost:3000"
    assert parsed.chain_id == 31337
    assert parsed.statement == site.statement
    assert parsed.address == account.address  # checksummed, whatever the input case
    assert parsed.nonce == challenge.nonce
    assert parsed.issued_at == "2026-11-22T12:00:00.000Z"
    assert parsed.expiration_time == "2026-11-22T12:10:00.000Z"
    assert challenge.expires_at == T0 + minutes(10)


def test_nonces_are_long_random_and_stored_with_their_host_and_ttl(
    engine: Engine, site: SiweSite, account: LocalAccount
) -> None:
    nonces = {start_sign_in(engine, site, account.address, now=T0).nonce for _ in range(20)}

    assert len(nonces) == 20
    assert all(len(nonce) * 4 >= 96 and nonce.isalnum() for nonce in nonces)
    with Session(engine) as db:
        rows = db.exec(select(SiweNonce)).all()
    assert {row.host for row in rows} == {"localhost:3000"}
    assert {row.expires_at for row in rows} == {T0 + minutes(10)}
    assert all(row.expires_at.tzinfo == UTC for row in rows)


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("0x1234", "not an Ethereum address: expected 0x followed by 40 hexadecimal digits"),
        ("vitalik.eth", "not an Ethereum address"),
        ("0x" + "g" * 40, "not an Ethereum address"),
        ("0x52908400098527886E0F7030069857D2E4169EE7".replace("E", "e", 1), "invalid EIP-55"),
        ("", "not an Ethereum address"),
    ],
)
def test_a_malformed_address_gets_a_clear_reason_and_no_nonce(
    engine: Engine, site: SiweSite, address: str, reason: str
) -> None:
    with pytest.raises(AuthError, match=reason):
        start_sign_in(engine, site, address)
    assert count_rows(engine, SiweNonce) == 0


def test_lower_and_upper_case_addresses_are_accepted_and_checksummed(
    engine: Engine, site: SiweSite, account: LocalAccount
) -> None:
    upper = "0x" + account.address[2:].upper()
    assert start_sign_in(engine, site, upper).address == account.address


def test_a_site_on_a_default_port_names_itself_without_the_port() -> None:
    site = SiweSite.for_origin("https://Coop.Example:443/", chain_id=10)
    assert (site.domain, site.uri) == ("coop.example", "https://coop.example")
