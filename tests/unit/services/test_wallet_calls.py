"""The JS expressions handed to rx.call_script: arguments cannot escape their JSON literal."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from coop_dashboard.services.wallet_calls import bridge_call


def test_arguments_are_json_literals() -> None:
    expression = bridge_call("personalSign", 'line one\n"quoted"</script>', "0xabc")
    assert (
        'window.coopWallet.personalSign("line one\\n\\"quoted\\"</script>", "0xabc")' in expression
    )


def test_no_arguments() -> None:
    assert "window.coopWallet.nextEvent()" in bridge_call("nextEvent")


def test_none_becomes_null() -> None:
    assert "window.coopWallet.connect(null)" in bridge_call("connect", None)


@pytest.mark.parametrize("name", ["connect()", "a.b", "x;alert(1)", ""])
def test_function_names_are_identifiers(name: str) -> None:
    with pytest.raises(ValueError, match="not a bridge function name"):
        bridge_call(name)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_a_missing_bridge_answers_like_any_failure() -> None:
    """Evaluated by node without a bridge: the structured failure, after the wait."""
    expression = bridge_call("restore", wait_ms=100)
    script = (
        "globalThis.window = globalThis;"
        f"Promise.resolve({expression}).then((r) => console.log(JSON.stringify(r)));"
    )
    output = subprocess.run(
        ["node", "-e", script], capture_output=True, text=True, timeout=30, check=True
    ).stdout
    answer = json.loads(output)
    assert answer["ok"] is False and answer["code"] == "bridge_missing"
