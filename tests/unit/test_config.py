"""Settings from the environment: defaults under the project, clear errors."""

from __future__ import annotations

import pytest

from coop_dashboard.config import PROJECT_ROOT, load_settings
from coop_dashboard.errors import ConfigError

VARS = ("RPC_URL", "CHAIN_ID", "DEPLOYMENT", "DATABASE_URL", "COOP_DATA_DIR", "ANVIL_PORT")


def test_defaults_live_under_the_project(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in VARS:
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.rpc_url == "http://127.0.0.1:8545"
    assert settings.chain_id == 31337
    assert settings.deployment_path == PROJECT_ROOT / ".coop" / "deployment.json"
    assert settings.database_url == f"sqlite:///{PROJECT_ROOT / '.coop' / 'coop.db'}"


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RPC_URL", "https://rpc.example.org")
    monkeypatch.setenv("CHAIN_ID", "8453")
    monkeypatch.setenv("DEPLOYMENT", "deployments/base.json")
    monkeypatch.setenv("DATABASE_URL", "postgresql://coop@db/coop")
    settings = load_settings()
    assert settings.rpc_url == "https://rpc.example.org"
    assert settings.chain_id == 8453
    assert settings.deployment_path == PROJECT_ROOT / "deployments" / "base.json"
    assert settings.database_url == "postgresql://coop@db/coop"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("CHAIN_ID", "mainnet", "CHAIN_ID must be an integer"),
        ("RPC_URL", "ws://localhost:8545", "RPC_URL must be an http"),
        ("RPC_TIMEOUT", "soon", "RPC_TIMEOUT must be a number"),
    ],
)
def test_bad_values_are_named(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        load_settings()


def test_app_origin_and_wallet_rpc_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("APP_ORIGIN", "WALLET_RPC_URL", "RPC_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.app_origin == "http://localhost:3000"
    # Wallets get the app's RPC unless a public one is named.
    assert settings.wallet_rpc_url == settings.rpc_url


def test_app_origin_is_normalised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_ORIGIN", "https://Coop.Example.org/")
    monkeypatch.setenv("WALLET_RPC_URL", "https://rpc.example.org")
    settings = load_settings()
    assert settings.app_origin == "https://coop.example.org"
    assert settings.wallet_rpc_url == "https://rpc.example.org"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("APP_ORIGIN", "coop.example.org", "APP_ORIGIN must be the http"),
        ("APP_ORIGIN", "https://coop.example.org/app", "without path or query"),
        ("APP_ORIGIN", "http://localhost:99999", "not a valid URL"),
        ("WALLET_RPC_URL", "wss://rpc.example.org", "WALLET_RPC_URL must be an http"),
    ],
)
def test_bad_origins_are_named(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        load_settings()


def test_redis_url_is_optional_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert load_settings().redis_url == ""
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    assert load_settings().redis_url == "redis://127.0.0.1:6379/3"
    monkeypatch.setenv("REDIS_URL", "http://127.0.0.1:6379")
    with pytest.raises(ConfigError, match="REDIS_URL must start with redis://"):
        load_settings()


@pytest.mark.parametrize(
    ("rpc_url", "rpc_ws_url", "expected"),
    [
        # anvil serves websockets on its HTTP port: derived for a local node.
        ("http://127.0.0.1:8545", "", "ws://127.0.0.1:8545"),
        ("http://localhost:9000", "", "ws://localhost:9000"),
        # A remote RPC's websocket endpoint is somewhere else: only when configured.
        ("https://rpc.example.org", "", ""),
        ("https://rpc.example.org", "wss://ws.example.org/key", "wss://ws.example.org/key"),
        ("http://127.0.0.1:8545", "off", ""),
    ],
)
def test_new_blocks_websocket(
    monkeypatch: pytest.MonkeyPatch, rpc_url: str, rpc_ws_url: str, expected: str
) -> None:
    monkeypatch.setenv("RPC_URL", rpc_url)
    monkeypatch.setenv("RPC_WS_URL", rpc_ws_url)
    assert load_settings().new_heads_url == expected


def test_new_blocks_websocket_must_be_a_websocket(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RPC_WS_URL", "http://127.0.0.1:8545")
    with pytest.raises(ConfigError, match="RPC_WS_URL must be a ws"):
        load_settings()
