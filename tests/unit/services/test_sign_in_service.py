"""The sign-in service binds the SIWE core to the app's settings (APP_ORIGIN, CHAIN_ID, DB)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

from coop_dashboard.auth import open_session
from coop_dashboard.config import Settings, load_settings
from coop_dashboard.db.utc_datetime import utc_now
from coop_dashboard.errors import AuthError
from coop_dashboard.services.sign_in import (
    auth_engine,
    begin_sign_in,
    complete_sign_in,
    end_session,
    origin_problem,
    purge_sign_in_rows,
    signed_in_address,
    site_for,
)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return dataclasses.replace(
        load_settings(),
        database_url=f"sqlite:///{tmp_path / 'coop.db'}",
        app_origin="http://localhost:4321",
        chain_id=31337,
    )


def test_the_message_names_the_configured_origin_and_chain(settings: Settings) -> None:
    site = site_for(settings)
    assert (site.domain, site.uri, site.chain_id) == (
        "localhost:4321",
        "http://localhost:4321",
        31337,
    )
    challenge = begin_sign_in(settings, Account.create().address.lower())
    assert challenge.message.startswith("localhost:4321 wants you to sign in")
    assert "URI: http://localhost:4321" in challenge.message
    assert "Chain ID: 31337" in challenge.message


def test_sign_in_round_trip_then_sign_out(settings: Settings) -> None:
    account = Account.create()
    challenge = begin_sign_in(settings, account.address)
    signature = account.sign_message(encode_defunct(text=challenge.message)).signature.to_0x_hex()

    issued = complete_sign_in(settings, challenge.message, signature)

    assert signed_in_address(settings, issued.token) == account.address
    end_session(settings, issued.token)
    assert signed_in_address(settings, issued.token) is None
    # The same signed message cannot open a second session.
    with pytest.raises(AuthError, match="already used"):
        complete_sign_in(settings, challenge.message, signature)


def test_a_malformed_address_is_refused(settings: Settings) -> None:
    with pytest.raises(AuthError, match="is not an Ethereum address"):
        begin_sign_in(settings, "0x1234")


@pytest.mark.parametrize("token", ["", "not-a-token", "A" * 43])
def test_unknown_tokens_are_nobody(settings: Settings, token: str) -> None:
    assert signed_in_address(settings, token) is None


def test_a_broken_database_reads_as_signed_out(settings: Settings, tmp_path: Path) -> None:
    unusable = tmp_path / "not-a-dir"
    unusable.write_text("a file where the database's folder should be")
    broken = dataclasses.replace(settings, database_url=f"sqlite:///{unusable / 'x' / 'coop.db'}")
    assert signed_in_address(broken, "A" * 43) is None


def test_origin_problem_points_to_the_configured_address(settings: Settings) -> None:
    assert origin_problem(settings, "http://localhost:4321") is None
    assert origin_problem(settings, "") is None
    problem = origin_problem(settings, "http://127.0.0.1:4321")
    assert problem is not None
    assert "Open http://localhost:4321 to sign in" in problem


def test_dead_sessions_are_purged_live_ones_kept(settings: Settings) -> None:
    engine = auth_engine(settings)
    address = Account.create().address
    long_ago = utc_now() - timedelta(days=3)
    open_session(engine, address, 31337, ttl=timedelta(hours=1), now=long_ago)
    live = open_session(engine, address, 31337)

    result = purge_sign_in_rows(settings)

    assert result.sessions == 1
    assert signed_in_address(settings, live.token) == address
