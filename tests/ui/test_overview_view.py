"""The overview's view model: exact values kept, every governor state present, errors explained."""

from __future__ import annotations

from pathlib import Path

from coop_dashboard.config import Settings
from coop_dashboard.errors import (
    ChainError,
    ConfigError,
    ManifestMismatchError,
    RpcUnavailableError,
)
from coop_dashboard.services.overview_types import PROPOSAL_STATES, OverviewFacts, TokenAmount
from coop_dashboard.services.overview_view import (
    error_notice,
    overview_view,
    read_overview_view,
    unexpected_error_notice,
)

RPC = "http://127.0.0.1:8545"


def _facts(**changes: object) -> OverviewFacts:
    values: dict[str, object] = {
        "chain_id": 31337,
        "block_number": 1234567,
        "block_timestamp": 1_700_000_000,
        "token_name": "Coop Governance Token",
        "token_symbol": "COOP",
        "token_supply": "10000000.25",
        "treasury_address": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
        "treasury": [
            TokenAmount("ETH", "250"),
            TokenAmount("cUSD", "1130000.5", "0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9"),
        ],
        "member_count": 12,
        "delegate_count": 5,
        "proposal_count": 4,
        "proposals_by_state": {"Active": 3, "Executed": 1},
        "contracts": {"CoopGovernor": "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0"},
    }
    values.update(changes)
    return OverviewFacts(**values)  # type: ignore[arg-type]


def test_figures_keep_their_exact_values() -> None:
    view = overview_view(_facts())
    assert (view.block_number.display, view.block_number.exact) == ("1,234,567", "1234567")
    assert (view.token_supply.display, view.token_supply.exact) == ("10,000,000.25", "10000000.25")
    assert view.chain_id.display == "31337"  # an identifier, not a quantity: no separator
    assert [(a.symbol, a.amount.exact, a.address) for a in view.treasury] == [
        ("ETH", "250", ""),
        ("cUSD", "1130000.5", "0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9"),
    ]
    assert view.block_time_utc == "2023-11-14 22:13:20 UTC"
    assert [(c.name, c.address) for c in view.contracts] == [
        ("Coop Governor", "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0")
    ]


def test_every_governor_state_has_a_row_in_enum_order() -> None:
    rows = overview_view(_facts()).proposals_by_state
    assert [row.state for row in rows] == list(PROPOSAL_STATES)
    counts = {row.state: (row.count.exact, row.share_percent) for row in rows}
    assert counts["Active"] == ("3", 75)
    assert counts["Executed"] == ("1", 25)
    assert counts["Pending"] == ("0", 0)


def test_no_proposals_gives_empty_bars() -> None:
    rows = overview_view(_facts(proposal_count=0, proposals_by_state={})).proposals_by_state
    assert all(row.share_percent == 0 for row in rows)


def test_unreachable_rpc_names_the_url_once() -> None:
    worded = RpcUnavailableError(f"The chain at {RPC} is unreachable (ConnectionError).")
    assert error_notice(worded, RPC).message == str(worded)
    bare = RpcUnavailableError("connection refused")
    assert error_notice(bare, RPC).message == (
        f"The chain at {RPC} is unreachable: connection refused"
    )
    assert error_notice(bare, RPC).title == "Chain unreachable"


def test_other_errors_get_their_own_titles() -> None:
    assert error_notice(ManifestMismatchError("x"), RPC).title.startswith("Deployment")
    assert error_notice(ConfigError("x"), RPC).title == "Configuration problem"
    assert error_notice(ChainError("x"), RPC).title == "Chain error"


def test_unexpected_errors_do_not_leak_details() -> None:
    notice = unexpected_error_notice(KeyError("secret internals"))
    assert "secret" not in notice.message
    assert "KeyError" in notice.message


def test_rpc_secrets_never_reach_the_page() -> None:
    url = "https://rpc.example.org/v3/secret-key"
    notice = error_notice(RpcUnavailableError(f"The chain at {url} is unreachable (Timeout)."), url)
    assert "secret" not in notice.message
    assert "The chain at https://rpc.example.org/… is unreachable" in notice.message


def _settings(rpc_url: str = RPC) -> Settings:
    root = Path("/nonexistent")
    return Settings(
        data_dir=root,
        rpc_url=rpc_url,
        chain_id=31337,
        deployment_path=root / "deployment.json",
        database_url="sqlite://",
        content_dir=root / "content",
        contracts_dir=root / "contracts",
        anvil_port=8545,
        rpc_timeout_s=1.0,
    )


def test_read_overview_view_success() -> None:
    read = read_overview_view(lambda _settings: _facts(), _settings)
    assert read.notice is None
    assert read.view.block_number.exact == "1234567"
    assert read.rpc_url == RPC


def test_read_overview_view_turns_failures_into_notices() -> None:
    def down(_settings: Settings) -> OverviewFacts:
        raise RpcUnavailableError(f"The chain at {RPC} is unreachable (ConnectionError).")

    def broken(_settings: Settings) -> OverviewFacts:
        raise KeyError("bug")

    def bad_env() -> Settings:
        raise ConfigError("RPC_URL must be an http(s) URL")

    down_notice = read_overview_view(down, _settings).notice
    assert down_notice is not None and down_notice.title == "Chain unreachable"
    assert read_overview_view(broken, _settings).notice == unexpected_error_notice(KeyError())
    config_notice = read_overview_view(down, bad_env).notice
    assert config_notice is not None and config_notice.title == "Configuration problem"
