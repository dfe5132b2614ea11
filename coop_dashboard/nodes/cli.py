"""`coop worker` and `coop verify`: the arguments and the loops (cli.py wires them).

A node's key is read from an environment variable or a file, never from the
command line (which `ps` shows to everyone on the machine).
"""

from __future__ import annotations

import argparse
import logging
import os
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


def add_worker_arguments(parser: argparse.ArgumentParser) -> None:
    _common(parser, "COOP_WORKER_KEY")
    parser.add_argument("--min-price", type=float, default=0.0, help="smallest bounty, ETH")
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
        bid_share_bps=int(args.bid_share * 10_000),
        recipes=tuple(args.recipe or ()),
        datasets=tuple(args.dataset or ()),
        max_concurrent=args.max_concurrent,
        dishonest=args.dishonest or "",
    )
    worker = Worker(node, app, journal, config)
    if args.once:
        worker.step()
    else:
        worker.run(args.poll)
    return 0


def run_verifier(settings: Settings, args: argparse.Namespace) -> int:
    node, app, journal = _parts(settings, args, "verify")
    config = VerifierConfig(retrain=not args.no_retrain, challenge=not args.no_challenge)
    verifier = Verifier(node, app, journal, config)
    if args.once:
        verifier.step()
    else:
        verifier.run(args.poll)
    return 0
