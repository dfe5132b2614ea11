"""Starting anvil fails with a sentence naming the fix, never a traceback."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from coop_dashboard import cli
from coop_dashboard.chain.node import free_port, start_anvil
from coop_dashboard.errors import NodeError
from tests.support.chains import CONTRACTS_DIR


def test_missing_anvil_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(NodeError, match="make install"):
        start_anvil(tmp_path)


def test_port_taken_names_the_fix() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(NodeError, match=f"Port {port} is already in use.*ANVIL_PORT"):
            start_anvil(CONTRACTS_DIR, port=port)


def test_start_and_stop_by_own_pid() -> None:
    node = start_anvil(CONTRACTS_DIR, port=free_port())
    assert node.is_running()
    node.stop()
    assert not node.is_running()
    assert node.process.returncode is not None


def test_cli_prints_one_line_and_exits_1_when_port_is_taken(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        monkeypatch.setenv("ANVIL_PORT", str(busy.getsockname()[1]))
        monkeypatch.setenv("COOP_DATA_DIR", str(tmp_path))
        assert cli.main(["node"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("coop: error: Port ") and "ANVIL_PORT" in err
    assert "Traceback" not in err


def test_cli_without_anvil_says_make_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("CONTRACTS_DIR", str(tmp_path))
    monkeypatch.setenv("COOP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ANVIL_PORT", str(free_port()))
    assert cli.main(["node"]) == 1
    err = capsys.readouterr().err
    assert "anvil is not installed" in err and "make install" in err
    assert "Traceback" not in err
