"""`coop up` (what `make run` runs): chain + deploy + seed + the app, stopped cleanly,
and a second start reuses the saved chain instead of deploying again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from coop_dashboard.chain.contracts import load_manifest
from coop_dashboard.chain.node import free_port, port_is_free
from coop_dashboard.config import PROJECT_ROOT

COOP = str(Path(sys.executable).parent / "coop")
READY_TIMEOUT_S = 180


def _start(tmp_path: Path, app_port: int, anvil_port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "COOP_DATA_DIR": str(tmp_path / "data"),
        "ANVIL_PORT": str(anvil_port),
        "REFLEX_CHECK_LATEST_VERSION": "0",
        # Build into the test's own folders, never over a developer's running .web/.
        "REFLEX_WEB_WORKDIR": str(tmp_path / "web"),
        "REFLEX_STATES_WORKDIR": str(tmp_path / "states"),
    }
    for name in ("RPC_URL", "DEPLOYMENT", "DATABASE_URL", "CHAIN_ID"):
        env.pop(name, None)
    return subprocess.Popen(
        [COOP, "up", "--port", str(app_port)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def _wait_until_served(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"coop up exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    pytest.fail(f"the app did not answer on port {port}:\n{log.read_text()[-3000:]}")


def _stop(process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=60)


def test_coop_up_serves_stops_cleanly_and_resumes(tmp_path: Path) -> None:
    app_port, anvil_port = free_port(), free_port()
    log = tmp_path / "coop-up.log"
    process = _start(tmp_path, app_port, anvil_port, log)
    try:
        _wait_until_served(process, app_port, log)
        html = httpx.get(f"http://127.0.0.1:{app_port}/", timeout=5).text
        assert "Coop Dashboard" in html
    finally:
        _stop(process)
    output = log.read_text()
    assert "deployed the suite" in output and "seeded 12 members" in output
    # SIGTERM reached everything: the app's port and anvil's port are free again.
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not (port_is_free(app_port) and port_is_free(anvil_port)):
        time.sleep(0.5)
    assert port_is_free(app_port), "the app outlived coop up"
    assert port_is_free(anvil_port), "anvil outlived coop up"
    state = tmp_path / "data" / "anvil" / "state.json"
    assert state.exists() and state.stat().st_size > 0
    first = load_manifest(tmp_path / "data" / "deployment.json")
    assert first.seeded

    # A second start loads the saved chain: same deployment, no new deploy or seed.
    log.write_text("")
    process = _start(tmp_path, app_port, anvil_port, log)
    try:
        _wait_until_served(process, app_port, log)
    finally:
        _stop(process)
    output = log.read_text()
    assert "reusing the deployment" in output and "deployed the suite" not in output
    assert load_manifest(tmp_path / "data" / "deployment.json") == first
