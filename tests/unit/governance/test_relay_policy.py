"""The relay policy's rules that need no chain: nonce choice, the hourly budget, the
settings (one place for every default), the shared nonce lock on both engines, and what
the vote panel says when gasless voting is paused."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from coop_dashboard.config import PROJECT_ROOT, Settings
from coop_dashboard.db import relay_ledger
from coop_dashboard.db.engine import create_tables, make_engine
from coop_dashboard.services.governance.gasless import NOT_CONFIGURED, gasless_panel
from coop_dashboard.services.governance.relay_policy import (
    NONCE_GAP_GRACE_MS,
    RelayRateLimiter,
    budget_resumes_in_s,
    choose_nonce,
    spend_cap_message,
)
from coop_dashboard.services.governance.relayer_config import (
    DEFAULT_MAX_PER_HOUR,
    RelayerConfigError,
    load_relayer_config,
)
from tests.support.databases import database_url_of

RELAYER = "0x" + "cc" * 20
HOUR_MS = 3_600_000


def test_the_nonce_follows_the_node_unless_our_own_recent_sends_are_ahead() -> None:
    now = 10_000_000
    assert choose_nonce(stored_next=0, chain_next=7, gap_sent_at_ms=None, now_ms=now) == 7
    assert choose_nonce(5, 5, None, now) == 5
    # The node has not seen our nonces 5..8 yet, the first was sent a moment ago: keep going.
    assert choose_nonce(9, 5, now - 1_000, now) == 9
    # Nonce 5 was sent long ago and the node does not know it: dropped, fill the gap.
    assert choose_nonce(9, 5, now - NONCE_GAP_GRACE_MS, now) == 5
    assert choose_nonce(9, 5, None, now) == 5  # never sent by this ledger at all


def test_the_hourly_budget_says_when_it_frees_up() -> None:
    now = 100 * HOUR_MS
    spends = [(now - 50 * 60_000, 40), (now - 20 * 60_000, 50)]  # 90 of 100 spent
    assert budget_resumes_in_s(spends, 10, 100, now, HOUR_MS) is None
    # 11 more needs the first spend (sent 50 minutes ago) to leave the hour: in 10 minutes.
    assert budget_resumes_in_s(spends, 11, 100, now, HOUR_MS) == 600.0
    # 61 more needs both gone: the second leaves in 40 minutes.
    assert budget_resumes_in_s(spends, 61, 100, now, HOUR_MS) == 2_400.0
    assert budget_resumes_in_s([], 101, 100, now, HOUR_MS) == 3_600.0  # never fits: an hour
    assert spend_cap_message(10**17, 600.0) == (
        "Gasless voting is paused: the relayer has spent its hourly budget (0.1 ETH); "
        "it resumes in 10 minutes. Vote from your wallet meanwhile."
    )


def test_relayer_limits_have_one_default_each_and_refuse_bad_values() -> None:
    config = load_relayer_config(31337, {})
    assert config.limits.max_per_hour == DEFAULT_MAX_PER_HOUR == 20
    # The limiter's default is the settings' default (they were 10 and 20).
    assert RelayRateLimiter(make_engine("sqlite://")).max_per_window == DEFAULT_MAX_PER_HOUR
    custom = load_relayer_config(
        1,
        {
            "RELAYER_PRIVATE_KEY": "0x" + "11" * 32,
            "RELAYER_MAX_WEI_PER_HOUR": "5000",
            "RELAYER_MIN_BALANCE_WEI": "0",
        },
    )
    assert (custom.limits.max_wei_per_hour, custom.limits.min_balance_wei) == (5000, 0)
    for name, value in (
        ("RELAYER_MAX_WEI_PER_HOUR", "0.1 ether"),
        ("RELAYER_MAX_WEI_PER_HOUR", "0"),
        ("RELAYER_MIN_BALANCE_WEI", "-1"),
    ):
        with pytest.raises(RelayerConfigError, match=name):
            load_relayer_config(31337, {name: value})


@pytest.fixture(params=["sqlite", "postgresql"])
def engines(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Engine, Engine]]:
    """Two engines on one database: what two app workers have."""
    with database_url_of(request.param, tmp_path, "relaylock") as url:
        first, second = make_engine(url), make_engine(url)
        create_tables(first)
        yield first, second
        first.dispose()
        second.dispose()


def test_one_worker_at_a_time_holds_the_relayer_nonce(engines: tuple[Engine, Engine]) -> None:
    first, second = engines
    entered = threading.Event()
    events: list[str] = []

    def hold() -> None:
        with relay_ledger.locked_relayer(first, RELAYER) as connection:
            assert relay_ledger.stored_next_nonce(connection, RELAYER) == 0
            entered.set()
            time.sleep(0.6)
            relay_ledger.store_next_nonce(connection, RELAYER, 1)
            events.append("first done")

    holder = threading.Thread(target=hold)
    holder.start()
    assert entered.wait(10)
    with relay_ledger.locked_relayer(second, RELAYER) as connection:
        events.append("second in")
        # The second worker sees what the first committed, never the same nonce.
        assert relay_ledger.stored_next_nonce(connection, RELAYER) == 1
    holder.join()
    assert events == ["first done", "second in"]


def test_the_vote_panel_says_why_gasless_voting_is_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RELAYER_PRIVATE_KEY", raising=False)
    settings = Settings(
        data_dir=tmp_path,
        rpc_url="http://127.0.0.1:9",
        chain_id=1,  # no default relayer key outside the local chain
        deployment_path=tmp_path / "deployment.json",
        database_url=f"sqlite:///{tmp_path / 'coop.db'}",
        content_dir=tmp_path,
        contracts_dir=PROJECT_ROOT / "contracts",
        anvil_port=0,
        rpc_timeout_s=1.0,
    )
    panel = gasless_panel(settings)
    assert panel.paused and panel.reason == NOT_CONFIGURED
