"""`coop index` processes for tests of the scaled configuration (indexer outside the app)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from coop_dashboard.config import PROJECT_ROOT

# What `coop index` logs (indexer/service.py) when it holds the lock / waits for it.
INDEXING_LINE = "indexing "
STANDING_BY_LINE = "standing by"


@dataclass
class IndexerProcess:
    """A running `coop index` (follow mode), logging to its own file."""

    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def wait_for_line(self, text: str, timeout_s: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_s
        while text not in self.log():
            if self.process.poll() is not None:
                raise RuntimeError(f"`coop index` exited early:\n{self.log()[-3000:]}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"`coop index` never logged {text!r}:\n{self.log()[-3000:]}")
            time.sleep(0.2)

    def kill(self) -> None:
        """SIGKILL: no cleanup, as when the machine or the OOM killer ends it."""
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()


def start_indexer(environment: dict[str, str], log_path: Path) -> IndexerProcess:
    """`coop index` with `environment` on top of this process's (RPC_URL, DEPLOYMENT,
    DATABASE_URL...); the caller waits for INDEXING_LINE or STANDING_BY_LINE."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "coop_dashboard.cli", "index"],
            cwd=PROJECT_ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **environment},
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    return IndexerProcess(process, log_path)
