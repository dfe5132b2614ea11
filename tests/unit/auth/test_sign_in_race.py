"""Two requests racing with the same signed message: exactly one session."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from sqlalchemy.engine import Engine

import coop_dashboard.auth.siwe_login as siwe_login
from coop_dashboard.auth import SiweSite, sign_in, start_sign_in, verify_sign_in
from coop_dashboard.db.auth_tables import AuthSession
from coop_dashboard.errors import AuthError
from tests.unit.auth.helpers import count_rows, sign

RACERS = 4


def race(attempt: Callable[[], object], racers: int = RACERS) -> list[object]:
    """Run `attempt` in `racers` threads at once; results or raised AuthErrors."""

    def run() -> object:
        try:
            return attempt()
        except AuthError as refused:
            return refused

    with ThreadPoolExecutor(max_workers=racers) as pool:
        return [future.result() for future in [pool.submit(run) for _ in range(racers)]]


@pytest.fixture
def meet_before_consuming(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hold every racer until all passed the checks, so they consume truly at once.

    Without this the first thread often finishes before the others start, and
    the read-only nonce pre-check (not the atomic consume) refuses them.
    """
    barrier = threading.Barrier(RACERS, timeout=30)
    real_consume = siwe_login.consume_nonce

    def consume_together(*args: Any, **kwargs: Any) -> None:
        barrier.wait()
        real_consume(*args, **kwargs)

    monkeypatch.setattr(siwe_login, "consume_nonce", consume_together)


@pytest.mark.usefixtures("meet_before_consuming")
@pytest.mark.parametrize("round_", range(3))
def test_concurrent_sign_ins_with_one_message_open_one_session(
    engine: Engine, site: SiweSite, account: LocalAccount, round_: int
) -> None:
    challenge = start_sign_in(engine, site, account.address)
    signature = sign(account, challenge.message)

    results = race(lambda: sign_in(engine, site, challenge.message, signature))

    refused = [r for r in results if isinstance(r, AuthError)]
    assert len(refused) == RACERS - 1, results
    assert all("already used" in str(error) for error in refused), refused
    assert count_rows(engine, AuthSession) == 1


@pytest.mark.usefixtures("meet_before_consuming")
def test_concurrent_verifications_succeed_once(
    engine: Engine, site: SiweSite, account: LocalAccount
) -> None:
    challenge = start_sign_in(engine, site, account.address)
    signature = sign(account, challenge.message)

    results = race(lambda: verify_sign_in(engine, site, challenge.message, signature))

    assert sum(not isinstance(r, AuthError) for r in results) == 1, results


def test_racing_without_a_rendezvous_also_opens_one_session(
    engine: Engine, site: SiweSite, account: LocalAccount
) -> None:
    challenge = start_sign_in(engine, site, account.address)
    signature = sign(account, challenge.message)

    results = race(lambda: sign_in(engine, site, challenge.message, signature), racers=8)

    assert sum(not isinstance(r, AuthError) for r in results) == 1, results
    assert count_rows(engine, AuthSession) == 1
