"""JavaScript expressions that call the wallet bridge (assets/wallet_bridge.js).

States hand these to `rx.call_script(expression, callback=...)`: the browser
evaluates the expression, awaits the Promise and passes its JSON value to the
callback. Arguments are embedded as JSON literals, so nothing a person or a
wallet typed can break out of the call.
"""

from __future__ import annotations

import json
from typing import Any

# The bridge is loaded by a <script> tag in the page head; an event arriving
# before it ran (right after a reload) waits for it this long.
BRIDGE_WAIT_MS = 5_000
_POLL_MS = 50


def bridge_call(function: str, *args: Any, wait_ms: int = BRIDGE_WAIT_MS) -> str:
    """`window.coopWallet.<function>(*args)` as a JS expression resolving to the bridge's answer.

    When the bridge never loads, the answer is `{ok: false, code: "bridge_missing"}`
    like any other failure, so the Python side has one error path.
    """
    if not function.isidentifier():
        raise ValueError(f"not a bridge function name: {function!r}")
    arguments = ", ".join(json.dumps(arg, separators=(",", ":")) for arg in args)
    tries = max(1, wait_ms // _POLL_MS)
    return (
        "(async () => {"
        f"for (let i = 0; i < {tries} && !window.coopWallet; i++) "
        f"await new Promise((r) => setTimeout(r, {_POLL_MS}));"
        "if (!window.coopWallet) return {ok: false, code: 'bridge_missing', "
        "message: 'wallet bridge not loaded'};"
        f"return await window.coopWallet.{function}({arguments});"
        "})()"
    )
