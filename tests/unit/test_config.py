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
