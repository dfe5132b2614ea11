"""One chain context per process: the manifest parsed once, one HTTP provider per RPC.

Every action used to build its own `make_web3` + `load_manifest` +
`GovernanceChain`: a JSON parse of the manifest (ABIs of the whole suite), a new
HTTP connection pool and fresh contract objects per click. `shared_chain`
returns the same objects until the manifest file changes: each call compares
the file's identity (mtime, size, inode) with the one parsed, so a redeploy
that rewrites DEPLOYMENT (`coop deploy`, the tests) is picked up at the next
call. The stat is blocking I/O, like the RPC calls these objects make: call
from a worker thread.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from web3 import Web3

from coop_dashboard.chain.client import make_web3
from coop_dashboard.chain.contracts import Deployment, load_manifest
from coop_dashboard.chain.governance_chain import GovernanceChain
from coop_dashboard.chain.revert import RevertDecoder
from coop_dashboard.chain.tx import revert_decoder

# (st_mtime_ns, st_size, st_ino): os.replace (how manifests are written) changes the inode.
_FileIdentity = tuple[int, int, int]


@dataclass(frozen=True)
class SharedChain:
    """What actions need to talk to the suite, shared by every caller of the process."""

    w3: Web3
    deployment: Deployment
    governance: GovernanceChain
    decoder: RevertDecoder


_lock = threading.Lock()
_web3s: dict[tuple[str, float], Web3] = {}
_deployments: dict[Path, tuple[_FileIdentity, Deployment]] = {}
_chains: dict[tuple[str, float, Path], tuple[Deployment, SharedChain]] = {}


def shared_web3(rpc_url: str, timeout_s: float) -> Web3:
    """The process's Web3 for `rpc_url` (web3 keeps one HTTP session per thread in it)."""
    key = (rpc_url, timeout_s)
    with _lock:
        w3 = _web3s.get(key)
        if w3 is None:
            w3 = _web3s[key] = make_web3(rpc_url, timeout_s)
        return w3


def shared_deployment(path: Path) -> Deployment:
    """The manifest at `path`, parsed again only when the file changed (ConfigError if bad)."""
    resolved = path.resolve()
    try:
        stat = resolved.stat()
    except OSError:
        return load_manifest(path)  # raises the ConfigError saying what is missing
    identity = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    with _lock:
        cached = _deployments.get(resolved)
    if cached is not None and cached[0] == identity:
        return cached[1]
    deployment = load_manifest(path)
    with _lock:
        _deployments[resolved] = (identity, deployment)
    return deployment


def shared_chain(rpc_url: str, timeout_s: float, deployment_path: Path) -> SharedChain:
    """Web3 + manifest + governance contracts + revert decoder, built once per manifest."""
    deployment = shared_deployment(deployment_path)
    key = (rpc_url, timeout_s, deployment_path.resolve())
    with _lock:
        cached = _chains.get(key)
    if cached is not None and cached[0] is deployment:
        return cached[1]
    w3 = shared_web3(rpc_url, timeout_s)
    chain = SharedChain(w3, deployment, GovernanceChain(w3, deployment), revert_decoder(deployment))
    with _lock:
        _chains[key] = (deployment, chain)
    return chain


def forget_shared_chains() -> None:
    """Drop every cached context (tests that replace a manifest in the same second)."""
    with _lock:
        _web3s.clear()
        _deployments.clear()
        _chains.clear()
