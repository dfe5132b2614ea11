"""Compile contracts/src with solcjs into contracts/out, skipped when nothing changed."""

from __future__ import annotations

import fcntl
import hashlib
import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coop_dashboard.errors import ChainError, ConfigError

FINGERPRINT_FILE = ".fingerprint"
COMPILE_LOCK_FILE = ".compile.lock"


@dataclass(frozen=True)
class Artifact:
    """ABI and creation bytecode of one compiled contract."""

    name: str
    abi: list[dict[str, Any]]
    bytecode: str
    deployed_bytecode: str


def source_fingerprint(contracts_dir: Path) -> str:
    """A digest of everything that determines the compile output."""
    digest = hashlib.sha256()
    inputs = sorted((contracts_dir / "src").rglob("*.sol"))
    inputs += [contracts_dir / "scripts" / "compile.mjs", contracts_dir / "package.json"]
    for path in inputs:
        digest.update(str(path.relative_to(contracts_dir)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def is_up_to_date(contracts_dir: Path) -> bool:
    stamp = contracts_dir / "out" / FINGERPRINT_FILE
    return stamp.exists() and stamp.read_text().strip() == source_fingerprint(contracts_dir)


def compile_contracts(contracts_dir: Path, *, force: bool = False) -> bool:
    """Compile when sources changed (or `force`). Returns True if it compiled.

    Holds an exclusive lock on the output folder: two processes (parallel test
    workers, `coop up` beside a test run) never write contracts/out at once, and
    the second finds the first's output up to date.
    """
    out_dir = (contracts_dir / "out").resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / COMPILE_LOCK_FILE).open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _compile_unlocked(contracts_dir, out_dir, force=force)


def _compile_unlocked(contracts_dir: Path, out_dir: Path, *, force: bool) -> bool:
    if not force and is_up_to_date(contracts_dir):
        return False
    node = shutil.which("node")
    if node is None:
        raise ConfigError(
            "Node.js is not installed: it runs solcjs. Install it (apt-get install nodejs)."
        )
    if not (contracts_dir / "node_modules" / "solc").is_dir():
        raise ConfigError(
            "The contract toolchain is not installed (contracts/node_modules/solc is missing): "
            "run `make install`."
        )
    result = subprocess.run(
        [node, "scripts/compile.mjs", str(out_dir)],
        cwd=contracts_dir,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise ChainError(f"Solidity compilation failed:\n{result.stderr.strip()}")
    (out_dir / FINGERPRINT_FILE).write_text(source_fingerprint(contracts_dir))
    return True


def load_artifacts(out_dir: Path) -> dict[str, Artifact]:
    """Every compiled artifact in `out_dir`, by contract name."""
    if not out_dir.is_dir():
        raise ConfigError(f"No compiled contracts in {out_dir}: run `coop compile`.")
    artifacts: dict[str, Artifact] = {}
    for path in sorted(out_dir.glob("*.json")):
        raw = json.loads(path.read_text())
        artifacts[raw["contractName"]] = Artifact(
            name=raw["contractName"],
            abi=raw["abi"],
            bytecode=raw["bytecode"],
            deployed_bytecode=raw["deployedBytecode"],
        )
    return artifacts
