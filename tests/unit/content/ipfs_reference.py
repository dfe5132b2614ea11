"""Runs the reference IPFS implementations (npm, tests/js) on files the tests write."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

JS_DIR = Path(__file__).resolve().parents[2] / "js"
SCRIPT = JS_DIR / "ipfs_reference.mjs"


def _run(*args: str) -> Any:
    node = shutil.which("node")
    if node is None or not (JS_DIR / "node_modules" / "ipfs-unixfs-importer").is_dir():
        raise RuntimeError("The reference implementations are not installed: run `make install`.")
    completed = subprocess.run(
        [node, str(SCRIPT), *args], capture_output=True, text=True, timeout=300, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{SCRIPT.name} {args[0]} failed: {completed.stderr[-2000:]}")
    return json.loads(completed.stdout)


def reference_cids(
    path: Path, chunk_size: int | None = None, max_links: int | None = None
) -> set[str]:
    """The CIDs ipfs-unixfs-importer (and ipfs-only-hash, for the default layout) give the file."""
    layout = [] if chunk_size is None else [str(chunk_size), str(max_links)]
    return set(_run("cid", str(path), *layout).values())


def read_car(car_path: Path, out_path: Path) -> dict[str, Any]:
    """What @ipld/car reads in the CAR; the file in it (ipfs-unixfs-exporter) goes to out_path."""
    result: dict[str, Any] = _run("car", str(car_path), str(out_path))
    return result


def deterministic_bytes(size: int, seed: int = 13) -> bytes:
    """The same bytes on every run and machine (no zero runs, so no leaf repeats)."""
    return random.Random(seed * 1_000_003 + size).randbytes(size)
