"""Runs a JavaScript module of the frontend in Node with a driver script, for its tests."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest


def run_driver(tmp_path: Path, modules: dict[str, str], driver: str, *args: str) -> Any:
    """Write `modules` (file name -> source) and `driver` to `tmp_path`, run the driver
    with `args`, and return what it printed as JSON."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: run `make install`")
    for name, source in modules.items():
        (tmp_path / name).write_text(source)
    (tmp_path / "driver.mjs").write_text(driver)
    done = subprocess.run(
        [node, str(tmp_path / "driver.mjs"), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
