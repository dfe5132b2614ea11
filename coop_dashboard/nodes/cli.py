"""`coop worker` and `coop verify`: the arguments and the loops (cli.py wires them).

A node's key is read from an environment variable or a file, never from the
command line (which `ps` shows to everyone on the machine).
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

from coop_dashboard.chain.client import make_web3
from coop_dashboard.chain.contracts import load_manifest
from coop_dashboard.chain.job_nodes import JobBoardNode
from coop_dashboard.config import Settings
from coop_dashboard.errors import ConfigError
from coop_dashboard.nodes.app_client import AppClient
from coop_dashboard.nodes.journal import Journal
from coop_dashboard.nodes.verifier import Verifier, VerifierConfig
from coop_dashboard.nodes.worker import DISHONEST_MODES, Worker, WorkerConfig
from coop_dashboard.services.jobs.spec import RECIPES

ETHER = 10**18


def _common(parser: argparse.ArgumentParser, key_env: str) -> None:
    parser.add_argument(
        "--key-env", default=key_env, help=f"environment variable holding the key ({key_env})"
    )
    parser.add_argument("--key-file", type=Path, help="file holding the key (0x-hex)")
    parser.add_argument("--app-url", default="", help="the app's URL (default APP_ORIGIN)")
    parser.add_argument("--state-dir", type=Path, help="journal and files (default under data)")
    parser.add_argument("--poll", type=float, default=2.0, help="seconds between passes")
    parser.add_argument("--once", action="store_true", help="one pass, then exit")
    parser.add_argument(
        "--from-head", action="store_true", help="a new journal skips what is already on chain"
    )


def add_worker_arguments(parser: argparse.ArgumentParser) -> None:
    _common(parser, "COOP_WORKER_KEY")
    parser.add_argument("--min-price", type=float, default=0.0, help="smallest bounty, ETH")
    parser.add_argument(
        "--min-price-asset",
        action="append",
        metavar="TOKEN=AMOUNT",
        help="smallest bounty in an ERC20, whole tokens (repeat); other allowed tokens: any",
    )
    parser.add_argument(
        "--bid-share", type=float, default=1.0, help="price asked as a share of the bounty"
    )
    parser.add_argument(
        "--recipe", action="append", choices=sorted(RECIPES), help="allowed recipe (repeat)"
    )
    parser.add_argument("--dataset", action="append", type=int, help="allowed dataset (repeat)")
    parser.add_argument("--max-concurrent", type=int, default=1, help="jobs at once")
    parser.add_argument(
        "--dishonest",
        choices=[mode for mode in DISHONEST_MODES if mode],
        help="demo/test only: inflate the claimed score, or train on shuffled labels",
    )


def add_verifier_arguments(parser: argparse.ArgumentParser) -> None:
    _common(parser, "COOP_VERIFIER_KEY")
    parser.add_argument("--no-retrain", action="store_true", help="only re-evaluate")
    parser.add_argument("--no-challenge", action="store_true", help="publish verdicts only")


def _key(args: argparse.Namespace) -> str:
    if args.key_file:
        try:
            key = args.key_file.read_text().strip()
        except OSError as error:
            raise ConfigError(f"The key file cannot be read: {error}") from error
    else:
        key = os.environ.get(args.key_env, "").strip()
    if not key:
        raise ConfigError(f"No key: set {args.key_env} or pass --key-file.")
    return key


def _parts(
    settings: Settings, args: argparse.Namespace, role: str
) -> tuple[JobBoardNode, AppClient, Journal]:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # httpx logs every request at INFO: a heartbeat a second would drown the node's story.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    key = _key(args)
    w3 = make_web3(settings.rpc_url, settings.rpc_timeout_s)
    node = JobBoardNode.with_key(w3, load_manifest(settings.deployment_path), key)
    app = AppClient.connect(args.app_url or settings.app_origin, key)
    state = args.state_dir or settings.data_dir / "nodes" / f"{role}-{node.address.lower()}"
    logging.getLogger(f"coop.{role}").info(
        "%s %s: chain %s, app %s, journal %s",
        role,
        node.address,
        settings.rpc_url,
        app.client.base_url,
        state,
    )
    return node, app, Journal(state)


def run_worker(settings: Settings, args: argparse.Namespace) -> int:
    node, app, journal = _parts(settings, args, "worker")
    config = WorkerConfig(
        min_price=int(args.min_price * ETHER),
        min_prices=_token_minimums(node, args.min_price_asset or []),
        bid_share_bps=int(args.bid_share * 10_000),
        recipes=tuple(args.recipe or ()),
        datasets=tuple(args.dataset or ()),
        max_concurrent=args.max_concurrent,
        dishonest=args.dishonest or "",
        from_head=args.from_head,
    )
    worker = Worker(node, app, journal, config)
    if args.once:
        worker.step()
    else:
        worker.run(args.poll)
    return 0


def _token_minimums(node: JobBoardNode, given: list[str]) -> tuple[tuple[str, int], ...]:
    """`TOKEN=AMOUNT` in whole tokens -> (address, smallest units), with the token's
    own decimals read from the chain (cUSD has 6, most tokens 18)."""
    minimums = []
    for item in given:
        token, _, amount = item.partition("=")
        if not (token.startswith("0x") and len(token) == 42) or not amount:
            raise ConfigError(f"--min-price-asset {item!r}: expected 0xTOKEN=AMOUNT.")
        try:
            whole = Decimal(amount)
        except InvalidOperation as error:
            raise ConfigError(f"--min-price-asset {item!r}: {amount!r} is no number.") from error
        if not whole.is_finite() or whole < 0:
            raise ConfigError(f"--min-price-asset {item!r}: the amount must be 0 or more.")
        units = int(whole * 10 ** node.token_decimals(token))
        minimums.append((token.lower(), units))
    return tuple(minimums)


def run_verifier(settings: Settings, args: argparse.Namespace) -> int:
    node, app, journal = _parts(settings, args, "verify")
    config = VerifierConfig(
        retrain=not args.no_retrain, challenge=not args.no_challenge, from_head=args.from_head
    )
    verifier = Verifier(node, app, journal, config)
    if args.once:
        verifier.step()
    else:
        verifier.run(args.poll)
    return 0


# --- the demo's nodes (`coop up --nodes`) -----------------------------------------------

# Anvil accounts the demo seed makes compute providers with research passes
# (chain/seed_jobs.PROVIDER_ACCOUNTS): one works, the other verifies.
DEMO_WORKER_ACCOUNT, DEMO_VERIFIER_ACCOUNT = 16, 17
_LOCAL_CHAIN_ID = 31337


def start_demo_nodes(
    settings: Settings, rpc_url: str, app_url: str
) -> list[subprocess.Popen[bytes]]:
    """A worker and a verifier beside the local demo, each its own process with anvil's
    well-known keys for the seeded providers, logging to <data>/nodes/*.log. They take
    jobs and results from now on (--from-head), so the seeded story stays as it is."""
    if settings.chain_id != _LOCAL_CHAIN_ID:
        raise ConfigError("--nodes runs demo nodes with anvil's public keys: local chain only.")
    from coop_dashboard.services.governance.relayer_config import anvil_key

    folder = settings.data_dir / "nodes"
    folder.mkdir(parents=True, exist_ok=True)
    base_env = os.environ | {
        "RPC_URL": rpc_url,
        "CHAIN_ID": str(settings.chain_id),
        "DEPLOYMENT": str(settings.deployment_path),
        "COOP_DATA_DIR": str(settings.data_dir),
    }
    processes = []
    for role, account, key_env in (
        ("worker", DEMO_WORKER_ACCOUNT, "COOP_WORKER_KEY"),
        ("verify", DEMO_VERIFIER_ACCOUNT, "COOP_VERIFIER_KEY"),
    ):
        command = [sys.executable, "-m", "coop_dashboard.cli", role, "--app-url", app_url]
        command += ["--from-head", "--state-dir", str(folder / f"demo-{role}")]
        log = (folder / f"{role}.log").open("ab")
        processes.append(
            subprocess.Popen(
                command,
                env=base_env | {key_env: anvil_key(account)},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        log.close()
    return processes


def stop_demo_nodes(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
