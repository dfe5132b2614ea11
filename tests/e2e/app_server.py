"""The app served the way production serves it: `reflex run --env prod` in a subprocess."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from tests.e2e import shared_build

if TYPE_CHECKING:
    from tests.support.chains import SeededChain

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = PROJECT_ROOT / "test-artifacts"

# A first production build of the frontend takes ~15-30 s; a cold bun cache more.
READY_TIMEOUT_S = 240.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class AppServer:
    """A running `reflex run --env prod`; one port serves frontend and backend."""

    process: subprocess.Popen[bytes]
    port: int
    log_path: Path
    startup_s: float = 0.0

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        """Stop the whole process group (reflex forks the web server and its workers)."""
        if self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def start_app_server(
    env_overrides: dict[str, str],
    *,
    name: str,
    work_dir: Path,
    coop_serve_args: list[str] | None = None,
    session_build: Path | None = None,
) -> AppServer:
    """Start the app with `env_overrides` and wait until it serves its pages.

    `work_dir` holds this server's own frontend build and state files, so test
    servers never rebuild or wipe what another server (or a developer's
    `make run` in the same checkout, which uses .web/) is serving.
    With `coop_serve_args` the server is `coop serve --port P <args>` (what an
    operator runs) instead of `reflex run` itself. With `session_build` (a
    directory from shared_build.session_build_dir) a `reflex run` server serves
    a copy of the session's first build instead of building its own.
    """
    port = free_port()
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "REFLEX_CHECK_LATEST_VERSION": "0",
        "REFLEX_WEB_WORKDIR": str(work_dir / "web"),
        "REFLEX_STATES_WORKDIR": str(work_dir / "states"),
        # Sign-in messages name the origin the browser opens (the test picks the port).
        "APP_ORIGIN": f"http://localhost:{port}",
        **env_overrides,
    }
    if coop_serve_args is not None:
        command = [sys.executable, "-m", "coop_dashboard.cli", "serve", "--port", str(port)]
        return _launch(command + coop_serve_args, env, name, port)
    if session_build is None:
        return _launch(_reflex_run(port, "reflex"), env, name, port)
    with shared_build.claimed(session_build) as built:
        if built is None:  # the session's first: it builds while the others wait
            server = _launch(_reflex_run(port, "reflex"), env, name, port)
            shared_build.record(session_build, shared_build.Built(work_dir / "web", port))
            return server
        shared_build.copy_for_port(built, work_dir / "web", port)
    return _launch(_reflex_run(port, "tests.e2e.prebuilt_reflex"), env, name, port)


def _reflex_run(port: int, module: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        module,
        "run",
        "--env",
        "prod",
        # Both: prod mode wants one port, and rxconfig pins the frontend to 3000.
        "--frontend-port",
        str(port),
        "--backend-port",
        str(port),
    ]


def _launch(command: list[str], env: dict[str, str], name: str, port: int) -> AppServer:
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    log_path = ARTIFACTS_DIR / f"app-{name}.log"
    started = time.monotonic()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, killed as one at teardown
        )
    server = AppServer(process=process, port=port, log_path=log_path)
    try:
        _wait_until_serving(server)
    except BaseException:
        server.stop()
        raise
    server.startup_s = time.monotonic() - started
    return server


def _wait_until_serving(server: AppServer) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"the app exited with code {server.process.returncode} before serving; "
                f"log {server.log_path}:\n{server.log_tail()}"
            )
        # /ping answers once the backend is up; "/" once the built frontend is mounted.
        with contextlib.suppress(httpx.HTTPError):
            ping = httpx.get(f"{server.url}/ping", timeout=2)
            index = httpx.get(f"{server.url}/", timeout=5)
            if ping.status_code == 200 and index.status_code == 200:
                return
        time.sleep(0.5)
    raise TimeoutError(
        f"the app did not serve {server.url} within {READY_TIMEOUT_S:.0f} s; "
        f"log {server.log_path}:\n{server.log_tail()}"
    )


# What the `start_app` fixture returns: start_app(name, **environment) -> AppServer.
StartApp = Callable[..., AppServer]


def chain_settings(chain: SeededChain, *, rpc_url: str | None = None) -> dict[str, str]:
    """The environment pointing the app at `chain` (optionally through another URL)."""
    return {
        "RPC_URL": rpc_url or chain.rpc_url,
        "CHAIN_ID": str(chain.chain_id),
        "DEPLOYMENT": str(chain.manifest_path),
        "CONTENT_DIR": str(chain.content_dir),
    }
