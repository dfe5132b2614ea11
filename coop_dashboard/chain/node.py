"""Start, wait for and stop a local anvil node (run by its own PID, not via npx).

Disk: anvil keeps the state of each recent block in memory and spills older ones,
one file per block holding the whole state, into an `anvil-state-*` folder
(by default under ~/.foundry/anvil/tmp). It leaves that folder behind when it
stops, and a long chain fills the disk. So every anvil started here spills into a
cache folder of its own (`cache_dir`, or a fresh temporary one), which `stop()`
removes; `max_persisted_states` bounds how many spilled states it keeps (reads at
older blocks then fail, so only callers that never read that far back bound it).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from coop_dashboard.errors import NodeError

ANVIL_RELATIVE_PATH = Path("node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil")
# anvil's default mnemonic gives these accounts 10,000 ETH each; the seed needs
# a deployer plus a dozen members plus spare test wallets.
DEFAULT_ACCOUNTS = 20
# The folders anvil spills block states into, inside its cache path.
STATE_FOLDER_GLOB = "anvil-state-*"


def find_anvil(contracts_dir: Path) -> Path:
    """The anvil binary installed by npm in contracts/, or a NodeError naming the fix."""
    binary = contracts_dir / ANVIL_RELATIVE_PATH
    if not binary.is_file():
        raise NodeError(
            f"anvil is not installed (expected {ANVIL_RELATIVE_PATH} under contracts/): "
            "run `make install` (it runs `npm ci` in contracts/)."
        )
    if not os.access(binary, os.X_OK):
        binary.chmod(binary.stat().st_mode | 0o111)
    return binary


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def rpc_answers(rpc_url: str, timeout_s: float = 1.0) -> bool:
    """Whether `rpc_url` answers a JSON-RPC eth_chainId."""
    try:
        response = httpx.post(
            rpc_url,
            json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []},
            timeout=timeout_s,
        )
        return response.status_code == 200 and "result" in response.json()
    except (httpx.HTTPError, ValueError):
        return False


@dataclass
class AnvilNode:
    """A running anvil we started; `stop()` ends exactly that process."""

    process: subprocess.Popen[bytes]
    port: int
    chain_id: int
    log_path: Path | None = None
    _log_file: IO[bytes] | None = field(default=None, repr=False)
    # Where this anvil spills old block states; removed with the process.
    cache_dir: Path | None = None

    @property
    def rpc_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def is_running(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout_s: float = 10.0) -> None:
        """SIGTERM (anvil dumps its state file on it), then SIGKILL if it lingers."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout_s)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        if self.cache_dir is not None and self.process.poll() is not None:
            # Spilled states are scratch: the chain itself lives on in --state, if any.
            shutil.rmtree(self.cache_dir, ignore_errors=True)


def remove_stale_state_folders(cache_dir: Path) -> list[Path]:
    """Delete the spilled-state folders an earlier anvil left in `cache_dir` (one it
    started with that cache path and that is gone: call only while no anvil uses it)."""
    removed = []
    for folder in sorted(cache_dir.glob(STATE_FOLDER_GLOB)):
        if folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def start_anvil(
    contracts_dir: Path,
    *,
    port: int | None = None,
    chain_id: int = 31337,
    accounts: int = DEFAULT_ACCOUNTS,
    state_path: Path | None = None,
    log_path: Path | None = None,
    timeout_s: float = 30.0,
    cache_dir: Path | None = None,
    max_persisted_states: int | None = None,
) -> AnvilNode:
    """Start anvil on `port` (a free one if None) and wait until it answers.

    `cache_dir`: where it spills old block states (a fresh temporary folder if None;
    removed by `stop()` either way). `max_persisted_states`: at most this many
    spilled states kept (None: all, as indexing a long chain from its start needs).
    """
    binary = find_anvil(contracts_dir)
    if port is None:
        port = free_port()
    elif not port_is_free(port):
        raise NodeError(
            f"Port {port} is already in use (another anvil or node is running there). "
            "Stop that process, or choose another port with ANVIL_PORT=<port>."
        )
    command = [
        str(binary),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--hardfork",
        "cancun",
        "--chain-id",
        str(chain_id),
        "--accounts",
        str(accounts),
    ]
    if state_path is not None:
        state_path.parent.mkdir(parents=True, exist_ok=True)
        command += ["--state", str(state_path), "--preserve-historical-states"]
    if cache_dir is None:
        cache_dir = Path(tempfile.mkdtemp(prefix="coop-anvil-states-"))
    else:
        cache_dir.mkdir(parents=True, exist_ok=True)
    command += ["--cache-path", str(cache_dir)]
    if max_persisted_states is not None:
        command += ["--max-persisted-states", str(max_persisted_states)]
    log_file: IO[bytes] | None = None
    if log_path is not None:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log_file = log_path.open("ab")
    process = subprocess.Popen(
        command,
        stdout=log_file if log_file is not None else subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # Ctrl-C in a terminal must not kill it before we dump state
    )
    node = AnvilNode(process, port, chain_id, log_path, log_file, cache_dir)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            node.stop()
            hint = f" See {log_path}." if log_path else ""
            raise NodeError(f"anvil exited at start (code {process.returncode}).{hint}")
        if rpc_answers(node.rpc_url):
            return node
        time.sleep(0.1)
    node.stop()
    raise NodeError(f"anvil did not answer on {node.rpc_url} within {timeout_s:.0f} s.")
