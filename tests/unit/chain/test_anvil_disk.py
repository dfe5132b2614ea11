"""anvil's spilled block states stay bounded and go away with the node (the disk filled
when every test chain left its anvil-state-* folder behind)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from coop_dashboard.chain.node import free_port, remove_stale_state_folders, start_anvil
from coop_dashboard.cli import _start_node
from coop_dashboard.config import load_settings
from tests.support.chains import CONTRACTS_DIR

# anvil keeps the last few hundred block states in memory; more blocks spill to disk.
BLOCKS = 700
KEPT_ON_DISK = 50


def _spilled_files(cache_dir: Path) -> int:
    return sum(1 for folder in cache_dir.glob("anvil-state-*") for _ in folder.iterdir())


def test_spilled_states_are_bounded_and_removed_with_the_node(tmp_path: Path) -> None:
    cache_dir = tmp_path / "states"
    node = start_anvil(CONTRACTS_DIR, cache_dir=cache_dir, max_persisted_states=KEPT_ON_DISK)
    try:
        with httpx.Client(base_url=node.rpc_url, timeout=10) as client:
            sender = client.post(
                "", json={"jsonrpc": "2.0", "id": 1, "method": "eth_accounts", "params": []}
            ).json()["result"][0]
            transfer = {"from": sender, "to": "0x" + "aa" * 20, "value": "0x1"}
            for index in range(BLOCKS):  # automine: one block each
                request = {"jsonrpc": "2.0", "id": index, "method": "eth_sendTransaction"}
                reply = client.post("", json=request | {"params": [transfer]}).json()
                assert "result" in reply, reply
        assert 0 < _spilled_files(cache_dir) <= KEPT_ON_DISK
    finally:
        node.stop()
    assert not cache_dir.exists()


def test_stale_state_folders_of_a_killed_run_are_removed(tmp_path: Path) -> None:
    cache_dir = tmp_path / "states"
    left = cache_dir / "anvil-state-30-11-2026-08-49KH1MTq"
    left.mkdir(parents=True)
    (left / "0xabc.json").write_text("{}")
    (cache_dir / "unrelated.txt").write_text("kept")
    assert remove_stale_state_folders(cache_dir) == [left]
    assert not left.exists() and (cache_dir / "unrelated.txt").exists()


def test_coop_node_cleans_what_a_killed_run_left_and_its_own_folder_at_stop(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    settings = replace(
        load_settings(), data_dir=tmp_path / ".coop", contracts_dir=CONTRACTS_DIR, anvil_port=port
    )
    states = settings.data_dir / "anvil" / "states" / str(port)
    left = states / "anvil-state-30-11-2026-07-12AbCdEf"
    left.mkdir(parents=True)
    (left / "0x01.json").write_text("{}")
    node = _start_node(settings, fresh=True)  # what `coop up` and `coop node` call
    try:
        assert not left.exists()
        assert f"removed {left.name}" in capsys.readouterr().out
        assert node.cache_dir == states and states.is_dir()
    finally:
        node.stop()
    assert not states.exists()
