"""One production build of the frontend per test session, shared by its app servers.

Every server started with `reflex run --env prod` compiled and built the same
frontend (~30 s of CPU, 14 servers a run, the two xdist workers building side by
side). Builds made with different settings differ only in the port baked into
one asset, `reflex-env-*.js` (checked file by file across two servers of one run:
everything else matched but generated names). So the first server of a session
builds as before and is recorded here; every later one copies that web directory
(without node_modules), rewrites the port and starts with prebuilt_reflex.py,
which serves the copy without compiling or building.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

RECORD = "build.json"
ENV_ASSET_GLOB = "build/client/assets/reflex-env-*.js"
# The server bundle's copy, which the page renderer (api/server_render.py) runs.
SERVER_ENV_ASSET_GLOB = "build/server/assets/reflex-env-*.js"
BAKED_ORIGIN = re.compile(r"localhost:\d+")


@dataclass(frozen=True)
class Built:
    """A web directory holding the session's build, and the port it was built for."""

    web_dir: Path
    port: int


def session_build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory shared by every xdist worker of this run (their basetemps' parent)."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    directory = shared / "frontend-build"
    directory.mkdir(exist_ok=True)
    return directory


@contextlib.contextmanager
def claimed(directory: Path) -> Iterator[Built | None]:
    """The session's build if one is recorded, else None while this caller builds one.

    Held as a lock (across processes) until the block ends: a worker finding no
    build waits for the other worker's to finish instead of building a second.
    """
    with (directory / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            recorded = directory / RECORD
            if recorded.exists():
                saved = json.loads(recorded.read_text())
                yield Built(Path(saved["web_dir"]), int(saved["port"]))
            else:
                yield None
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def record(directory: Path, built: Built) -> None:
    """Offer `built` (a server that built and now serves) to the session's later servers."""
    (directory / RECORD).write_text(json.dumps({"web_dir": str(built.web_dir), "port": built.port}))


def copy_for_port(built: Built, web_dir: Path, port: int) -> None:
    """`built`'s web directory at `web_dir`, its frontend pointing at `port`."""
    shutil.copytree(built.web_dir, web_dir, ignore=shutil.ignore_patterns("node_modules"))
    assets = list(web_dir.glob(ENV_ASSET_GLOB))
    if len(assets) != 1:
        raise RuntimeError(f"expected one {ENV_ASSET_GLOB} in {web_dir}, found {len(assets)}")
    # The page renderer imports React Router and React from the build's node_modules.
    (web_dir / "node_modules").symlink_to(built.web_dir / "node_modules", target_is_directory=True)
    for path in [*assets, *web_dir.glob(SERVER_ENV_ASSET_GLOB), web_dir / "env.json"]:
        text = path.read_text()
        if f"localhost:{built.port}" not in text:
            raise RuntimeError(f"{path} does not name port {built.port}: the build changed")
        path.write_text(BAKED_ORIGIN.sub(f"localhost:{port}", text))
    # The precompressed copies still name the old port; without them the plain file is served.
    for suffix in (".gz", ".br"):
        assets[0].with_name(assets[0].name + suffix).unlink(missing_ok=True)
