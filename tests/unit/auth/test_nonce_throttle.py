"""Sign-in challenges are bounded per address, per browser and per IP (each is a DB write)."""

from __future__ import annotations

from pathlib import Path

import pytest
from eth_account import Account
from sqlmodel import Session, func, select

from coop_dashboard.auth.nonce_throttle import (
    MAX_PER_ADDRESS,
    MAX_PER_CLIENT,
    WINDOW_S,
    NonceThrottle,
    SlidingWindowCounter,
)
from coop_dashboard.config import load_settings
from coop_dashboard.db.auth_tables import SiweNonce
from coop_dashboard.errors import AuthError
from coop_dashboard.services import sign_in


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_a_window_admits_its_limit_then_tells_how_long_to_wait() -> None:
    clock = Clock()
    counter = SlidingWindowCounter(3, 60.0, clock)
    for _ in range(3):
        assert counter.wait_s("a") == 0.0
        counter.record("a")
        clock.now += 1
    assert counter.wait_s("a") == pytest.approx(57.0)
    assert counter.wait_s("b") == 0.0  # keys are counted apart
    clock.now += 57.0
    assert counter.wait_s("a") == 0.0  # the oldest left the window


def test_the_throttle_counts_address_client_and_ip_and_refuses_clearly() -> None:
    clock = Clock()
    throttle = NonceThrottle(
        per_address=SlidingWindowCounter(MAX_PER_ADDRESS, WINDOW_S, clock),
        per_client=SlidingWindowCounter(MAX_PER_CLIENT, WINDOW_S, clock),
        per_ip=SlidingWindowCounter(100, WINDOW_S, clock),
    )
    for _ in range(MAX_PER_ADDRESS):
        throttle.admit("0xAbc", client="tab-1", ip="10.0.0.1")
    with pytest.raises(AuthError, match=r"Too many sign-in attempts .* Try again in 60 s"):
        throttle.admit("0xABC", client="tab-2", ip="10.0.0.2")  # same address, any case
    # Another address from the same browser still fits its own budget, until that one is spent.
    for index in range(MAX_PER_CLIENT - MAX_PER_ADDRESS):
        throttle.admit(f"0x{index}", client="tab-1")
    with pytest.raises(AuthError, match="Too many sign-in attempts"):
        throttle.admit("0xfresh", client="tab-1")
    throttle.admit("0xfresh", client="tab-3")  # a refusal counted nothing
    clock.now += WINDOW_S
    throttle.admit("0xabc", client="tab-1")


def test_begin_sign_in_stops_writing_nonces_for_a_flooding_client(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: every click wrote a nonce row, without bound."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'coop.db'}")
    monkeypatch.setattr(sign_in, "_nonce_throttle", NonceThrottle())
    settings = load_settings()
    address = Account.create().address
    refused = 0
    for _ in range(MAX_PER_ADDRESS + 20):
        try:
            sign_in.begin_sign_in(settings, address, client="tab", ip="127.0.0.1")
        except AuthError as exc:
            assert "Too many sign-in attempts" in str(exc)
            refused += 1
    assert refused == 20
    with Session(sign_in.auth_engine(settings)) as db:
        assert db.exec(select(func.count()).select_from(SiweNonce)).one() == MAX_PER_ADDRESS
