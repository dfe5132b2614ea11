"""The `coop` command: compile, run a local chain, deploy, seed, serve the app.

Every failure a person can cause or fix (missing toolchain, busy port, wrong
manifest, dead RPC) is a CoopError and is printed as one sentence, exit code 1.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from coop_dashboard.chain.client import make_web3
from coop_dashboard.chain.compile import compile_contracts, load_artifacts
from coop_dashboard.chain.contracts import (
    Deployment,
    load_manifest,
    validate_deployment,
    write_manifest,
)
from coop_dashboard.chain.deploy import deploy_suite
from coop_dashboard.chain.node import (
    AnvilNode,
    port_is_free,
    remove_stale_state_folders,
    rpc_answers,
    start_anvil,
)
from coop_dashboard.chain.seed import seed_demo
from coop_dashboard.chain.transact import Sender
from coop_dashboard.config import PROJECT_ROOT, Settings, indexer_runs_in_app, load_settings
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.db.migrations import upgrade_database
from coop_dashboard.errors import ConfigError, CoopError, NodeError, RpcUnavailableError
from coop_dashboard.indexer import cli as indexer_cli
from coop_dashboard.nodes import cli as nodes_cli
from coop_dashboard.redaction import install_log_redaction

APP_PORT = 3000


def _say(message: str) -> None:
    print(f"coop: {message}", flush=True)


def cmd_compile(settings: Settings, args: argparse.Namespace) -> int:
    started = time.monotonic()
    compiled = compile_contracts(settings.contracts_dir, force=args.force)
    if compiled:
        _say(f"compiled contracts in {time.monotonic() - started:.1f} s")
    else:
        _say("contracts up to date")
    return 0


def _anvil_state_path(settings: Settings) -> Path:
    return settings.data_dir / "anvil" / "state.json"


def _start_node(settings: Settings, *, fresh: bool) -> AnvilNode:
    state_path = _anvil_state_path(settings)
    if fresh and state_path.exists():
        state_path.unlink()
    # Block states anvil spills to disk, per port: an earlier run that was killed left
    # its folder here (a running anvil of ours holds the port, so this one is stale).
    cache_dir = settings.data_dir / "anvil" / "states" / str(settings.anvil_port)
    if port_is_free(settings.anvil_port):
        for folder in remove_stale_state_folders(cache_dir):
            _say(f"removed {folder.name}, block states a stopped anvil left behind")
    return start_anvil(
        settings.contracts_dir,
        port=settings.anvil_port,
        chain_id=settings.chain_id,
        state_path=state_path,
        log_path=settings.data_dir / "anvil" / "anvil.log",
        cache_dir=cache_dir,
    )


def _wait_for_signal() -> None:
    stop = {"now": False}

    def handler(_signum: int, _frame: object) -> None:
        stop["now"] = True

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
    while not stop["now"]:
        time.sleep(0.2)


def cmd_node(settings: Settings, args: argparse.Namespace) -> int:
    node = _start_node(settings, fresh=args.fresh)
    _say(f"anvil running at {node.rpc_url} (chain {node.chain_id}, pid {node.pid}); Ctrl-C stops")
    try:
        _wait_for_signal()
    finally:
        node.stop()
        _say("anvil stopped (state saved)")
    return 0


def _deploy(settings: Settings, rpc_url: str) -> Deployment:
    compile_contracts(settings.contracts_dir)
    artifacts = load_artifacts(settings.contracts_out_dir)
    w3 = make_web3(rpc_url, settings.rpc_timeout_s)
    if not rpc_answers(rpc_url, settings.rpc_timeout_s):
        raise NodeError(f"No node answers at {rpc_url}: start one with `coop node`.")
    private_key = os.environ.get("DEPLOYER_PRIVATE_KEY", "").strip()
    sender = (
        Sender.from_private_key(w3, private_key)
        if private_key
        else Sender.unlocked(w3, w3.eth.accounts[0])
    )
    deployment = deploy_suite(w3, artifacts, sender)
    write_manifest(deployment, settings.deployment_path)
    _say(f"deployed the suite on chain {deployment.chain_id} at block {deployment.deploy_block}")
    for name, info in deployment.contracts.items():
        _say(f"  {name:<17} {info.address}")
    _say(f"manifest written to {settings.deployment_path}")
    return deployment


def cmd_deploy(settings: Settings, _args: argparse.Namespace) -> int:
    _deploy(settings, settings.rpc_url)
    return 0


def _seed(settings: Settings, deployment: Deployment, rpc_url: str) -> None:
    w3 = make_web3(rpc_url, settings.rpc_timeout_s)
    validate_deployment(w3, deployment, rpc_url, settings.chain_id)
    # Imported here: numpy and scikit-learn load only when a demo is seeded.
    from coop_dashboard.demo.job_content import demo_job_content
    from coop_dashboard.services.datasets.demo import demo_datasets

    store = LocalContentStore(settings.content_dir)
    report = seed_demo(
        w3,
        deployment,
        store,
        treasury_history=True,
        datasets=demo_datasets(store),
        licensing=True,
        jobs=demo_job_content(),
    )
    seeded = Deployment(**{**deployment.__dict__, "seeded": True})
    write_manifest(seeded, settings.deployment_path)
    _say(
        f"seeded {len(report.members)} members, {len(report.statements)} delegate statements, "
        f"{len(report.proposals)} proposals ({', '.join(report.proposals)}), "
        f"{len(report.datasets)} datasets, "
        f"{len(report.jobs.jobs) if report.jobs else 0} training jobs"
    )


def cmd_seed(settings: Settings, _args: argparse.Namespace) -> int:
    _seed(settings, load_manifest(settings.deployment_path), settings.rpc_url)
    return 0


def cmd_index(settings: Settings, args: argparse.Namespace) -> int:
    upgrade_database(settings.database_url)
    return indexer_cli.run(args, settings)


def cmd_check(settings: Settings, _args: argparse.Namespace) -> int:
    deployment = load_manifest(settings.deployment_path)
    w3 = make_web3(settings.rpc_url, settings.rpc_timeout_s)
    validate_deployment(w3, deployment, settings.rpc_url, settings.chain_id)
    _say(f"manifest matches the chain at {settings.rpc_url} (chain {deployment.chain_id})")
    return 0


def _existing_deployment(settings: Settings, rpc_url: str) -> Deployment | None:
    """The manifest on disk if it matches the chain, else None (deploy anew)."""
    try:
        deployment = load_manifest(settings.deployment_path)
        validate_deployment(
            make_web3(rpc_url, settings.rpc_timeout_s), deployment, rpc_url, settings.chain_id
        )
    except CoopError:
        return None
    return deployment


def _reflex_command(port: int, dev: bool) -> list[str]:
    if dev:
        reflex = str(Path(sys.executable).parent / "reflex")
        return [reflex, "run", "--frontend-port", str(port)]
    # Prod mode serves frontend and backend on one port; both flags must name it.
    # The runner is Reflex's CLI with granian replacing a worker that dies.
    return [
        sys.executable,
        "-m",
        "coop_dashboard.reflex_runner",
        "run",
        "--env",
        "prod",
        "--frontend-port",
        str(port),
        "--backend-port",
        str(port),
    ]


# Operators may set these themselves (REFLEX_OPLOCK_ENABLED=false turns it off).
# The hold is Reflex's default: a tab clicking once a second keeps its lease, where a
# 2 s hold re-took the lock and re-read the state from Redis every second or third
# click (benchmarks/load.py, 2 workers, 600 users on the feed: p95 309 -> 53 ms).
STATE_OPLOCK = {"REFLEX_OPLOCK_ENABLED": "true", "REFLEX_OPLOCK_HOLD_TIME": "5s"}


def _worker_environment(settings: Settings, workers: int, dev: bool) -> dict[str, str]:
    """The environment giving the app `workers` backend processes (granian workers).

    Several workers need Redis: a tab's state must be readable by whichever worker
    its next connection lands on (Reflex's Redis state manager). One worker keeps its
    tabs' state in process, unless REDIS_URL is set anyway.
    """
    _check_workers(settings, workers, dev)
    if workers > 1 and settings.database_url.startswith("sqlite"):
        _say(
            "note: several workers on one SQLite file work on one machine; "
            "PostgreSQL (DATABASE_URL=postgresql://...) is the scaled configuration"
        )
    if workers > 1 and indexer_runs_in_app():
        _say(
            "note: every worker runs an indexer and the database lock lets one write; "
            "INDEXER_IN_APP=0 with one `coop index` process (plus a standby) is leaner"
        )
    # Reflex reads its own variable; without GRANIAN_WORKERS it would start
    # 2 x cores + 1 workers as soon as Redis is configured.
    env = {"GRANIAN_WORKERS": str(workers)}
    if settings.redis_url:
        env["REFLEX_REDIS_URL"] = settings.redis_url
        # Reflex's opportunistic lock: the worker serving a tab keeps its lock and its
        # state in memory between events, writing it to Redis when the hold ends or
        # another worker asks. Without it every event locked, read and wrote the tab's
        # state in Redis, and concurrent events of one tab waited on each other's locks
        # (benchmarks/load.py, 2 workers, 300 users: proposal page p95 1,623 -> 162 ms).
        # A worker killed outright loses what its tabs changed in the last hold.
        for name, value in STATE_OPLOCK.items():
            env[name] = os.environ.get(name, value)
    return env


def _check_workers(settings: Settings, workers: int, dev: bool) -> None:
    """ConfigError unless `workers` backend processes can run with these settings."""
    if workers < 1:
        raise ConfigError(f"--workers must be at least 1, got {workers}.")
    if workers > 1 and dev:
        raise ConfigError("--workers applies to production mode; drop --dev.")
    if workers > 1 and not settings.redis_url:
        raise ConfigError(
            f"--workers {workers} needs REDIS_URL (e.g. redis://127.0.0.1:6379/0): the "
            "workers share the tabs' state through Redis."
        )
    if settings.redis_url:
        _check_redis(settings.redis_url)


def _check_redis(redis_url: str) -> None:
    """Fail with a sentence when Redis does not answer (Reflex would only log a trace)."""
    from redis import Redis
    from redis.exceptions import RedisError

    client = Redis.from_url(redis_url, socket_connect_timeout=3, socket_timeout=3)
    try:
        client.ping()
    except RedisError as exc:
        raise ConfigError(f"Redis does not answer at REDIS_URL ({exc}).") from exc
    finally:
        client.close()


def serve_app(settings: Settings, *, rpc_url: str, port: int, dev: bool, workers: int = 1) -> int:
    """Run the Reflex app in the foreground until it exits or is interrupted."""
    worker_env = _worker_environment(settings, workers, dev)
    revision = upgrade_database(settings.database_url)
    _say(f"database schema at migration {revision}")
    env = os.environ | {
        "RPC_URL": rpc_url,
        "CHAIN_ID": str(settings.chain_id),
        "DEPLOYMENT": str(settings.deployment_path),
        "COOP_DATA_DIR": str(settings.data_dir),
        "REFLEX_CHECK_LATEST_VERSION": "0",
        # Sign-in messages name the address people open; follow --port unless
        # APP_ORIGIN says otherwise (e.g. behind a proxy on a public host).
        "APP_ORIGIN": os.environ.get("APP_ORIGIN", "").strip() or f"http://localhost:{port}",
        **worker_env,
    }
    shared = f", {workers} workers sharing state through Redis" if settings.redis_url else ""
    _say(f"serving the app at http://localhost:{port}{shared} (Ctrl-C stops)")
    # Its own process group: reflex starts workers and bun, and all of them must
    # go when we stop, whether by Ctrl-C or by SIGTERM from a supervisor.
    process = subprocess.Popen(
        _reflex_command(port, dev), cwd=PROJECT_ROOT, env=env, start_new_session=True
    )
    try:
        return process.wait()
    except (KeyboardInterrupt, SystemExit):
        _stop_process_group(process)
        return 130


def _stop_process_group(process: subprocess.Popen[bytes]) -> None:
    for sig, wait_s in ((signal.SIGINT, 15.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait_s)
            return
        except subprocess.TimeoutExpired:
            continue


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    """Serve the app against an existing chain + manifest (any EVM chain).

    A manifest that contradicts the chain is refused before anything starts; a
    chain that does not answer is only a warning: the app serves and says so.
    """
    _check_workers(settings, args.workers, args.dev)
    deployment = load_manifest(settings.deployment_path)
    w3 = make_web3(settings.rpc_url, settings.rpc_timeout_s)
    try:
        validate_deployment(w3, deployment, settings.rpc_url, settings.chain_id)
    except RpcUnavailableError as unreachable:
        _say(f"warning: {unreachable} The app will show this until the chain answers.")
    return serve_app(
        settings, rpc_url=settings.rpc_url, port=args.port, dev=args.dev, workers=args.workers
    )


def cmd_up(settings: Settings, args: argparse.Namespace) -> int:
    node: AnvilNode | None = None
    rpc_url = settings.rpc_url
    if port_is_free(settings.anvil_port):
        node = _start_node(settings, fresh=args.fresh)
        rpc_url = node.rpc_url
        _say(f"anvil running at {rpc_url} (pid {node.pid})")
    elif rpc_answers(rpc_url):
        _say(f"using the node already running at {rpc_url}")
    else:
        raise NodeError(
            f"Port {settings.anvil_port} is in use by something that is not an Ethereum node. "
            "Stop it, or set ANVIL_PORT to a free port."
        )
    try:
        deployment = None if args.fresh else _existing_deployment(settings, rpc_url)
        if deployment is None:
            deployment = _deploy(settings, rpc_url)
            _seed(settings, deployment, rpc_url)
        else:
            _say(f"reusing the deployment in {settings.deployment_path}")
        if args.no_app:
            _wait_for_signal()
            return 0
        app_url = f"http://localhost:{args.port}"
        nodes = nodes_cli.start_demo_nodes(settings, rpc_url, app_url) if args.nodes else []
        try:
            return serve_app(settings, rpc_url=rpc_url, port=args.port, dev=args.dev)
        finally:
            nodes_cli.stop_demo_nodes(nodes)
    finally:
        if node is not None:
            node.stop()
            _say("anvil stopped (state saved)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="coop", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("compile", help="compile the contracts (skipped when unchanged)")
    p.add_argument("--force", action="store_true", help="compile even if up to date")
    p.set_defaults(run=cmd_compile)

    p = commands.add_parser("node", help="run a local anvil in the foreground")
    p.add_argument("--fresh", action="store_true", help="forget the saved chain state")
    p.set_defaults(run=cmd_node)

    p = commands.add_parser("deploy", help="deploy the suite to RPC_URL, write the manifest")
    p.set_defaults(run=cmd_deploy)

    p = commands.add_parser("seed", help="fill a fresh local deployment with demo data")
    p.set_defaults(run=cmd_seed)

    p = commands.add_parser("index", help="follow the chain into SQL (the indexer)")
    indexer_cli.add_arguments(p)
    p.set_defaults(run=cmd_index)

    p = commands.add_parser("check", help="check the manifest against the chain")
    p.set_defaults(run=cmd_check)

    p = commands.add_parser("serve", help="serve the app for RPC_URL + DEPLOYMENT")
    p.add_argument("--port", type=int, default=APP_PORT, help="the app's port (default 3000)")
    p.add_argument("--dev", action="store_true", help="Reflex dev mode (hot reload)")
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="backend worker processes (more than 1 needs REDIS_URL)",
    )
    p.set_defaults(run=cmd_serve)

    p = commands.add_parser("worker", help="a compute provider: bid on jobs, train, submit")
    nodes_cli.add_worker_arguments(p)
    p.set_defaults(run=nodes_cli.run_worker)

    p = commands.add_parser("verify", help="a verifier: re-check results, challenge bad ones")
    nodes_cli.add_verifier_arguments(p)
    p.set_defaults(run=nodes_cli.run_verifier)

    p = commands.add_parser("up", help="local chain + deploy + seed (first time) + the app")
    p.add_argument("--fresh", action="store_true", help="start from an empty chain")
    p.add_argument("--port", type=int, default=APP_PORT, help="the app's port (default 3000)")
    p.add_argument("--dev", action="store_true", help="Reflex dev mode (hot reload)")
    p.add_argument("--no-app", action="store_true", help="only the chain, no web app")
    p.add_argument(
        "--nodes", action="store_true", help="also run a demo worker and verifier (local chain)"
    )
    p.set_defaults(run=cmd_up)
    return parser


def _exit_on_sigterm(_signum: int, _frame: object) -> None:
    # Unwind like Ctrl-C so `finally` blocks stop anvil and the app.
    raise SystemExit(143)


def main(argv: Sequence[str] | None = None) -> int:
    install_log_redaction()  # `coop index` logs RPC errors: keep API keys out of them
    args = build_parser().parse_args(argv)
    previous_handler = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    run: Callable[[Settings, argparse.Namespace], int] = args.run
    try:
        return run(load_settings(), args)
    except CoopError as error:
        print(f"coop: error: {error}", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous_handler)


if __name__ == "__main__":
    sys.exit(main())
