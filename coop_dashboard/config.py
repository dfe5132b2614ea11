"""Settings from the environment.

Every setting has a default that makes the embedded configuration work (local
anvil + SQLite file + local content store under `.coop/` in the project root),
so `make run` needs no environment at all. Point the same app at any EVM chain
where the suite is deployed with RPC_URL + CHAIN_ID + DEPLOYMENT.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from coop_dashboard.errors import ConfigError

# The project root is the folder holding rxconfig.py; runtime paths are derived
# from it so nothing machine-specific is ever written into the repository.
PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULT_ANVIL_PORT = 8545
DEFAULT_CHAIN_ID = 31337
# Where people open the app (`make run` serves it here); Sign-In with Ethereum
# messages name this origin, and wallets warn when the page is elsewhere.
DEFAULT_APP_ORIGIN = "http://localhost:3000"
# The largest dataset file the register page accepts (bytes; DATASET_MAX_BYTES).
DEFAULT_DATASET_MAX_BYTES = 2 * 1024**3
# A proposal page warns when a payout leaves less runway than this (months).
DEFAULT_RUNWAY_FLOOR_MONTHS = 6
# What Reflex's Redis state manager accepts (reflex.utils.prerequisites.parse_redis_url).
REDIS_URL_SCHEMES = ("redis://", "rediss://", "unix://")


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw.strip(), 0)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc


def _env_path(name: str, default: Path) -> Path:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    path = Path(raw.strip()).expanduser()
    return path if path.is_absolute() else PROJECT_ROOT / path


@dataclass(frozen=True)
class Settings:
    """Everything configurable, read once from the environment."""

    data_dir: Path
    rpc_url: str
    chain_id: int
    deployment_path: Path
    database_url: str
    content_dir: Path
    contracts_dir: Path
    anvil_port: int
    rpc_timeout_s: float
    # The public origin of the app (scheme://host[:port]): the domain and URI of
    # every sign-in message. Never taken from a request's Host header, which a
    # phishing proxy controls.
    app_origin: str = DEFAULT_APP_ORIGIN
    # The RPC URL handed to browser wallets (wallet_addEthereumChain). RPC_URL may
    # be internal to the server or carry an API key; this one is public.
    wallet_rpc_url: str = ""
    # Redis shared by several app workers (Reflex's Redis state manager): a tab's state
    # lives there, so any worker can serve it. "" = one worker, state in process.
    redis_url: str = ""
    # The largest dataset file an upload may store (streamed; refused beyond it).
    dataset_max_bytes: int = DEFAULT_DATASET_MAX_BYTES
    # The runway floor the treasury impact on a proposal's page is checked against.
    runway_floor_months: int = DEFAULT_RUNWAY_FLOOR_MONTHS

    # RPC_WS_URL as configured: a ws(s):// URL, "off", or "" (derive: see new_heads_url).
    rpc_ws_url: str = ""

    @property
    def contracts_out_dir(self) -> Path:
        return self.contracts_dir / "out"

    @property
    def new_heads_url(self) -> str:
        """The websocket the indexer follows new blocks on (eth_subscribe newHeads); "" =
        poll only. Unset RPC_WS_URL: ws:// on a loopback RPC_URL's host and port (anvil
        serves websockets on its HTTP port); derived here, so it follows rpc_url."""
        if self.rpc_ws_url == "off":
            return ""
        if self.rpc_ws_url:
            return self.rpc_ws_url
        parts = urlsplit(self.rpc_url)
        if parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1"):
            return f"ws://{parts.netloc}{parts.path}"
        return ""


def load_settings() -> Settings:
    """Read the settings from the environment (see README, "Configuration")."""
    data_dir = _env_path("COOP_DATA_DIR", PROJECT_ROOT / ".coop")
    anvil_port = _env_int("ANVIL_PORT", DEFAULT_ANVIL_PORT)
    rpc_url = os.environ.get("RPC_URL", "").strip() or f"http://127.0.0.1:{anvil_port}"
    if not rpc_url.startswith(("http://", "https://")):
        raise ConfigError(f"RPC_URL must be an http(s) URL, got {rpc_url!r}")
    database_url = os.environ.get("DATABASE_URL", "").strip() or f"sqlite:///{data_dir / 'coop.db'}"
    timeout_raw = os.environ.get("RPC_TIMEOUT", "").strip() or "5"
    try:
        rpc_timeout_s = float(timeout_raw)
    except ValueError as exc:
        raise ConfigError(f"RPC_TIMEOUT must be a number of seconds, got {timeout_raw!r}") from exc
    rpc_ws_url = _rpc_ws_url(os.environ.get("RPC_WS_URL", "").strip())
    app_origin = _origin(os.environ.get("APP_ORIGIN", "").strip() or DEFAULT_APP_ORIGIN)
    wallet_rpc_url = os.environ.get("WALLET_RPC_URL", "").strip() or rpc_url
    if not wallet_rpc_url.startswith(("http://", "https://")):
        raise ConfigError(f"WALLET_RPC_URL must be an http(s) URL, got {wallet_rpc_url!r}")
    return Settings(
        data_dir=data_dir,
        rpc_url=rpc_url,
        chain_id=_env_int("CHAIN_ID", DEFAULT_CHAIN_ID),
        deployment_path=_env_path("DEPLOYMENT", data_dir / "deployment.json"),
        database_url=database_url,
        content_dir=_env_path("CONTENT_DIR", data_dir / "content"),
        contracts_dir=_env_path("CONTRACTS_DIR", PROJECT_ROOT / "contracts"),
        anvil_port=anvil_port,
        rpc_timeout_s=rpc_timeout_s,
        app_origin=app_origin,
        wallet_rpc_url=wallet_rpc_url,
        rpc_ws_url=rpc_ws_url,
        redis_url=_redis_url(os.environ.get("REDIS_URL", "").strip()),
        dataset_max_bytes=_env_int("DATASET_MAX_BYTES", DEFAULT_DATASET_MAX_BYTES),
        runway_floor_months=_env_int("RUNWAY_FLOOR_MONTHS", DEFAULT_RUNWAY_FLOOR_MONTHS),
    )


def indexer_runs_in_app() -> bool:
    """INDEXER_IN_APP (default 1): whether the app process runs the indexer itself;
    "0", "false" or "no" when a separate `coop index` follows the chain."""
    return os.environ.get("INDEXER_IN_APP", "1").strip().lower() not in ("0", "false", "no")


def _redis_url(raw: str) -> str:
    """`raw` if it is a URL Reflex's Redis client accepts (or empty), else ConfigError."""
    if raw and not raw.startswith(REDIS_URL_SCHEMES):
        raise ConfigError(f"REDIS_URL must start with redis://, rediss:// or unix://, got {raw!r}")
    return raw


def _rpc_ws_url(raw: str) -> str:
    """RPC_WS_URL: "" (derive), "off" (poll only), or a ws(s):// URL; else ConfigError."""
    if raw.lower() in ("off", "none", "0"):
        return "off"
    if raw and not raw.startswith(("ws://", "wss://")):
        raise ConfigError(f"RPC_WS_URL must be a ws(s):// URL, got {raw!r}")
    return raw


def _origin(raw: str) -> str:
    """`raw` as an origin `scheme://host[:port]`, or ConfigError (a path is a mistake here)."""
    try:
        parts = urlsplit(raw)
        _ = parts.port  # raises ValueError for a malformed port
    except ValueError as exc:
        raise ConfigError(f"APP_ORIGIN is not a valid URL: {raw!r}") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"APP_ORIGIN must be the http(s) address people open, e.g. {DEFAULT_APP_ORIGIN}; "
            f"got {raw!r}"
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise ConfigError(
            f"APP_ORIGIN must be an origin (scheme://host[:port]) without path or query; "
            f"got {raw!r}"
        )
    return f"{parts.scheme}://{parts.netloc}".lower()
